import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { Source, WorkloadAllow, WorkloadTarget } from '../lib';
import { oncePerSynth, watchSynth } from '../lib/synth-memo';

const target = WorkloadTarget.selector('default', { app: 'productpage' });
const from = [Source.serviceAccount('default', 'bookinfo-gateway-istio')];

/** A chart with a toJson() of its own: cdk8s still validates the whole app for it. */
class OwnRendering extends Chart {
  public override toJson(): unknown[] {
    return super.toJson();
  }
}

/** An app of `charts` such charts, one of them holding a counted validation. */
function countingApp(charts: number, app: App = Testing.app()) {
  let calls = 0;
  for (let index = 0; index < charts; index++) {
    new OwnRendering(app, `chart-${index}`);
  }
  const holder = new Construct(app.node.findChild('chart-0'), 'holder');
  watchSynth(holder);
  holder.node.addValidation(
    oncePerSynth(holder, () => {
      calls++;
      return [];
    }),
  );
  return { app, calls: () => calls };
}

describe('oncePerSynth', () => {
  test('runs a validation once per app.synth(), though cdk8s validates once per chart', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-memo-'));
    try {
      const { app, calls } = countingApp(5, new App({ outdir }));
      app.synth();
      expect(calls()).toBe(1);
      app.synth();
      expect(calls()).toBe(2);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('runs it once per app.synthYaml() too', () => {
    const { app, calls } = countingApp(5);
    app.synthYaml();
    expect(calls()).toBe(1);
  });

  test('runs it on every Chart.toJson(), which validates once', () => {
    const { app, calls } = countingApp(2);
    const chart = app.node.findChild('chart-0') as Chart;
    chart.toJson();
    chart.toJson();
    expect(calls()).toBe(2);
  });

  test('runs it on every call under a root that is not a cdk8s App', () => {
    const root = new Construct(undefined as unknown as Construct, 'root');
    watchSynth(root);
    let calls = 0;
    const validation = oncePerSynth(root, () => [`call ${++calls}`]);
    expect(validation.validate()).toEqual(['call 1']);
    expect(validation.validate()).toEqual(['call 2']);
  });

  test('checks a change made after a synth: an escape hatch patched in later is refused', () => {
    const app = Testing.app();
    const allow = new WorkloadAllow(new Chart(app, 'team'), 'allow', {
      target,
      rules: [{ from }],
    });
    new Chart(app, 'other');
    expect(() => app.synthYaml()).not.toThrow();
    allow.policy.addJsonPatch(JsonPatch.replace('/spec/action', 'DENY'));
    expect(() => app.synthYaml()).toThrow(
      '[team/allow] spec.action is "DENY"; only "ALLOW" is allowed here',
    );
  });

  test('forgets the results of a failed synth: the fixed app synthesizes', () => {
    const app = Testing.app();
    const allow = new WorkloadAllow(new Chart(app, 'team'), 'allow', { target });
    new Chart(app, 'other');
    expect(() => app.synthYaml()).toThrow('[team/allow] rules is empty');
    allow.addRule({ from });
    expect(app.synthYaml()).toContain('kind: AuthorizationPolicy');
  });
});

describe('watchSynth', () => {
  /** An app with this library's constructs, a nested chart and dependencies across charts. */
  function mixedApp() {
    const app = Testing.app();
    const team = new Chart(app, 'team');
    new WorkloadAllow(team, 'allow', { target, rules: [{ from }] });
    const config = new ApiObject(team, 'config', { apiVersion: 'v1', kind: 'ConfigMap' });
    const secret = new ApiObject(team, 'secret', { apiVersion: 'v1', kind: 'Secret' });
    // Rendered after the secret it depends on, whatever the order of definition.
    config.addDependency(secret);
    const nested = new Chart(team, 'nested');
    new ApiObject(nested, 'inner', { apiVersion: 'v1', kind: 'ServiceAccount' });
    const platform = new Chart(app, 'platform');
    new ApiObject(platform, 'first', { apiVersion: 'v1', kind: 'Namespace' });
    team.addDependency(platform);
    return app;
  }

  test("renders every chart as cdk8s's own Chart.toJson() does, in the same order", () => {
    const app = mixedApp();
    const yaml = app.synthYaml();
    // Outside a synth, each chart renders through cdk8s's own path (validation included).
    expect(yaml).toBe(Yaml.stringify(...app.charts.flatMap((chart) => chart.toJson())));
    expect(yaml.indexOf('kind: Namespace')).toBeLessThan(yaml.indexOf('kind: Secret'));
    expect(yaml.indexOf('kind: Secret')).toBeLessThan(yaml.indexOf('kind: ConfigMap'));
    expect(yaml).toContain('kind: ServiceAccount');
  });

  test('validates the app once per synth, not once more per chart', () => {
    const app = mixedApp();
    let passes = 0;
    app.node.addValidation({
      validate: () => {
        passes++;
        return [];
      },
    });
    app.synthYaml();
    expect(passes).toBe(1);
    // Chart.toJson() outside a synth keeps cdk8s's own pass.
    app.charts[0].toJson();
    expect(passes).toBe(2);
  });

  test('leaves the charts as they were after a synth, and a toJson() of their own in place', () => {
    class Extra extends Chart {
      public override toJson(): unknown[] {
        return [
          ...super.toJson(),
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
        ];
      }
    }
    const app = mixedApp();
    const extra = new Extra(app, 'extra');
    expect(app.synthYaml()).toContain('name: x');
    for (const chart of app.charts) {
      expect(Object.prototype.hasOwnProperty.call(chart, 'toJson')).toBe(false);
    }
    expect(extra.toJson()).toHaveLength(1);
  });
});
