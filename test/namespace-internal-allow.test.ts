import { NamespaceInternalAllow } from '../lib';
import { synthValid, testChart } from './support/synth';

describe('NamespaceInternalAllow', () => {
  test('opens the namespace to itself at ztunnel', () => {
    const chart = testChart();
    const allow = new NamespaceInternalAllow(chart, 'internal', { namespace: 'shop' });
    expect(synthValid(chart)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'allow-same-namespace-shop',
          namespace: 'shop',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] },
      },
    ]);
    expect(allow.waypointAllow).toBeUndefined();
  });

  test('with a waypoint also opens the waypoint to the namespace (snapshot)', () => {
    const chart = testChart();
    new NamespaceInternalAllow(chart, 'internal', {
      namespace: 'shop',
      waypoint: 'waypoint',
      name: 'shop-internal',
      syncWave: false,
    });
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(objects[1].metadata).toEqual({ name: 'shop-internal-waypoint', namespace: 'shop' });
    expect(objects[1].spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
    });
  });

  test('fails on a bad namespace, waypoint or the root namespace', () => {
    expect(() => new NamespaceInternalAllow(testChart(), 'n', { namespace: 'Shop' })).toThrow(
      'test/n: namespace "Shop" is not a valid namespace',
    );
    expect(
      () => new NamespaceInternalAllow(testChart(), 'n', { namespace: 'shop', waypoint: 'Way' }),
    ).toThrow('test/n: waypoint "Way" is not a valid Kubernetes name');
    expect(
      () => new NamespaceInternalAllow(testChart(), 'n', { namespace: 'istio-system' }),
    ).toThrow(
      'test/n/Default: target WorkloadTarget.namespace("istio-system") is the root namespace',
    );
  });
});
