import { Chart, Testing } from 'cdk8s';
import { HardenedMesh, Source, WorkloadAllow, WorkloadTarget, ZtunnelAllowNothing } from '../lib';
import { declareRootNamespace, rootNamespacesOf } from '../lib/mesh-registry';

function opening(chart: Chart, id: string, syncWave?: number | false) {
  return new WorkloadAllow(chart, id, {
    target: WorkloadTarget.selector('shop', { app: id }),
    rules: [{ from: [Source.serviceAccount('shop', 'client')] }],
    ...(syncWave === undefined ? {} : { syncWave }),
  });
}

describe('mesh registry', () => {
  test('collects the root namespaces declared anywhere in the app', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    declareRootNamespace(chart, 'one');
    new ZtunnelAllowNothing(new Chart(app, 'd'), 'lockdown', { rootNamespace: 'two' });
    expect([...rootNamespacesOf(chart)].sort()).toEqual(['one', 'two']);
  });

  // Argo CD applies lower waves first (objects without the annotation are in wave 0): an ALLOW
  // that is not strictly before the lockdown lets the lockdown cut its traffic first.
  test('fails the synth when an ALLOW is not in an earlier sync wave than the lockdown', () => {
    const app = Testing.app();
    new HardenedMesh(app, 'mesh', { syncWaves: { allow: 1, allowNothing: 2 } });
    opening(new Chart(app, 'platform'), 'web', 3);
    expect(() => app.synthYaml()).toThrow(
      'platform/web is in sync wave 3, not before the allow-nothing policies in wave 2: ' +
        'Argo CD would lock traffic down before this ALLOW exists; give it a lower syncWave',
    );
  });

  test('counts an ALLOW without a wave as wave 0', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ZtunnelAllowNothing(chart, 'lockdown', { syncWave: 0 });
    opening(chart, 'web', false);
    expect(() => app.synthYaml()).toThrow(
      'platform/web is in sync wave 0 (no annotation), not before the allow-nothing policies in wave 0',
    );
  });

  test('accepts the default waves and openings in other charts', () => {
    const app = Testing.app();
    new HardenedMesh(app, 'mesh');
    opening(new Chart(app, 'platform'), 'web');
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('accepts anything when the lockdown carries no wave (syncWaves: false)', () => {
    const app = Testing.app();
    new HardenedMesh(app, 'mesh', { syncWaves: false });
    opening(new Chart(app, 'platform'), 'web', 5);
    expect(() => app.synthYaml()).not.toThrow();
  });
});
