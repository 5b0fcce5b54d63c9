import { WaypointAllow, WorkloadTarget } from '../lib';
import { synthValid, testChart } from './support/synth';

describe('WaypointAllow', () => {
  test('allows the waypoint identity to every workload of its namespace by default', () => {
    const chart = testChart();
    const allow = new WaypointAllow(chart, 'waypoint', { namespace: 'default' });
    expect(synthValid(chart)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'allow-from-waypoint-default-waypoint',
          namespace: 'default',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: {
          action: 'ALLOW',
          rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint'] } }] }],
        },
      },
    ]);
    expect(allow.policies).toHaveLength(1);
  });

  test('writes one policy per target, named with an index, with the given account and trust domain', () => {
    const chart = testChart();
    new WaypointAllow(chart, 'waypoint', {
      namespace: 'mesh',
      waypoint: 'shared',
      serviceAccount: 'shared-wp',
      trustDomain: 'prod.example',
      syncWave: false,
      targets: [
        WorkloadTarget.selector('shop', { app: 'api' }),
        WorkloadTarget.namespace('billing'),
      ],
    });
    const policies = synthValid(chart);
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace, p.spec.selector])).toEqual([
      ['allow-from-waypoint-mesh-shared-0', 'shop', { matchLabels: { app: 'api' } }],
      ['allow-from-waypoint-mesh-shared-1', 'billing', undefined],
    ]);
    for (const policy of policies) {
      expect(policy.metadata.annotations).toBeUndefined();
      expect(policy.spec.rules).toEqual([
        { from: [{ source: { principals: ['prod.example/ns/mesh/sa/shared-wp'] } }] },
      ]);
    }
  });

  test('fails on no target and on a bad namespace', () => {
    expect(
      () => new WaypointAllow(testChart(), 'w', { namespace: 'default', targets: [] }),
    ).toThrow(
      'test/w: targets is []: give at least one WorkloadTarget, or leave targets out for every ' +
        'workload of the waypoint namespace',
    );
    expect(() => new WaypointAllow(testChart(), 'w', { namespace: 'Default' })).toThrow(
      'test/w: namespace "Default" is not a valid namespace',
    );
  });

  test('fails on the root namespace as a namespace-wide target', () => {
    expect(() => new WaypointAllow(testChart(), 'w', { namespace: 'istio-system' })).toThrow(
      'test/w/target: target WorkloadTarget.namespace("istio-system") is the root namespace',
    );
  });
});
