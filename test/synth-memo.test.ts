import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Source, WorkloadAllow, WorkloadTarget } from '../lib';
import { oncePerSynth, watchSynth } from '../lib/synth-memo';

const target = WorkloadTarget.selector('default', { app: 'productpage' });
const from = [Source.serviceAccount('default', 'bookinfo-gateway-istio')];

/** An app of `charts` charts, one of them holding a counted validation. */
function countingApp(charts: number, app: App = Testing.app()) {
  let calls = 0;
  for (let index = 0; index < charts; index++) {
    new Chart(app, `chart-${index}`);
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
