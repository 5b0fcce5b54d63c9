import { ZtunnelAllowNothing } from '../lib';
import { synthValid, testChart } from './support/synth';

describe('ZtunnelAllowNothing', () => {
  test('defaults to an empty-spec policy in istio-system, named as the istio-k8s charm names it', () => {
    const chart = testChart();
    new ZtunnelAllowNothing(chart, 'allow-nothing');

    // An ALLOW policy without rules reaches ztunnel as zero groups and never matches
    // (reference §1, ztunnel rbac.rs): in the root namespace it denies by default mesh-wide.
    expect(synthValid(chart)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
          namespace: 'istio-system',
          // Applied after the ALLOW policies (wave -1) and unannotated resources, pruned first.
          annotations: { 'argocd.argoproj.io/sync-wave': '1' },
        },
        spec: {},
      },
    ]);
  });

  test('has no selector and no targetRefs, so ztunnel scopes it to the whole mesh', () => {
    const chart = testChart();
    new ZtunnelAllowNothing(chart, 'allow-nothing', { rootNamespace: 'mesh-root' });
    const [policy] = synthValid(chart);
    // Reference §2: no selector in the root namespace is scope GLOBAL; targetRefs never reach ztunnel.
    expect(policy.spec).toEqual({});
    expect(policy.metadata.namespace).toBe('mesh-root');
  });

  test('names the policy after istioApp and the root namespace', () => {
    const chart = testChart();
    const policy = new ZtunnelAllowNothing(chart, 'allow-nothing', {
      rootNamespace: 'mesh-root',
      istioApp: 'istio',
    });
    expect(policy.name).toBe('istio-mesh-root-policy-global-allow-nothing-ztunnel');
    expect(policy.namespace).toBe('mesh-root');
    expect(synthValid(chart)[0].metadata.name).toBe(policy.name);
  });

  test('exposes the ApiObject as Resource for escape hatches', () => {
    const chart = testChart();
    const allowNothing = new ZtunnelAllowNothing(chart, 'allow-nothing');
    expect(allowNothing.node.defaultChild).toBe(allowNothing.policy);
  });

  test('fails on an invalid root namespace, naming the construct path and the prop', () => {
    expect(
      () =>
        new ZtunnelAllowNothing(testChart(), 'allow-nothing', { rootNamespace: 'Istio_System' }),
    ).toThrow(
      'test/allow-nothing: rootNamespace "Istio_System" is not a valid namespace: use a DNS-1123 label',
    );
  });

  test('fails on an istioApp that makes an invalid name', () => {
    expect(
      () => new ZtunnelAllowNothing(testChart(), 'allow-nothing', { istioApp: 'Istio' }),
    ).toThrow(
      'test/allow-nothing: istioApp makes the name "Istio-istio-system-policy-global-allow-nothing-ztunnel" invalid',
    );
  });

  test('fails on an istioApp that makes the name longer than 253 characters instead of cutting it', () => {
    expect(
      () => new ZtunnelAllowNothing(testChart(), 'allow-nothing', { istioApp: 'a'.repeat(210) }),
    ).toThrow(
      /istioApp makes the name "a+-istio-system-policy-global-allow-nothing-ztunnel" 259 characters long; Kubernetes allows at most 253: shorten istioApp/,
    );
  });

  test('takes another sync wave, or none', () => {
    const chart = testChart();
    new ZtunnelAllowNothing(chart, 'a', { syncWave: 5 });
    new ZtunnelAllowNothing(chart, 'b', { rootNamespace: 'other', syncWave: false });
    const [a, b] = synthValid(chart);
    expect(a.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '5' });
    expect(b.metadata.annotations).toBeUndefined();
  });

  test('renders istio.io/dry-run "true" with dryRun', () => {
    const chart = testChart();
    const allowNothing = new ZtunnelAllowNothing(chart, 'a', { dryRun: true });
    expect(synthValid(chart)[0].metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '1',
      'istio.io/dry-run': 'true',
    });
    expect(allowNothing.dryRun).toBe(true);
  });

  test('fails on a dryRun or syncWave of the wrong type', () => {
    expect(
      () => new ZtunnelAllowNothing(testChart(), 'a', { dryRun: 'true' as unknown as boolean }),
    ).toThrow('test/a: dryRun must be true or false, got "true"');
    expect(() => new ZtunnelAllowNothing(testChart(), 'a', { syncWave: 0.5 })).toThrow(
      'test/a: syncWave must be an integer (the Argo CD sync wave) or false (no annotation), got 0.5',
    );
  });
});
