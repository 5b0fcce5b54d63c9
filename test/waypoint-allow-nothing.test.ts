import { WaypointAllowNothing } from '../lib';
import { synthValid, testChart } from './support/synth';

describe('WaypointAllowNothing', () => {
  test('defaults to a GatewayClass-targeted policy with no action and no rules', () => {
    const chart = testChart();
    new WaypointAllowNothing(chart, 'allow-nothing');

    // Reference §2: waypoints honour only targetRefs; a GatewayClass target from the root
    // namespace reaches every waypoint of that class (Istio 1.25+, istio/istio#54780).
    expect(synthValid(chart)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
          namespace: 'istio-system',
          annotations: { 'argocd.argoproj.io/sync-wave': '1' },
        },
        spec: {
          targetRefs: [
            { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
          ],
        },
      },
    ]);
  });

  test('targets the configured GatewayClass and names the policy after istioApp', () => {
    const chart = testChart();
    const allowNothing = new WaypointAllowNothing(chart, 'allow-nothing', {
      rootNamespace: 'mesh-root',
      istioApp: 'istio',
      waypointGatewayClass: 'custom-waypoint',
    });
    const [policy] = synthValid(chart);
    expect(policy.metadata).toEqual({
      name: 'istio-mesh-root-policy-global-allow-nothing-waypoint',
      namespace: 'mesh-root',
      annotations: { 'argocd.argoproj.io/sync-wave': '1' },
    });
    expect(policy.spec.targetRefs).toEqual([
      { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'custom-waypoint' },
    ]);
    expect(allowNothing.name).toBe(policy.metadata.name);
  });

  test('accepts namespace when it is the root namespace', () => {
    const chart = testChart();
    new WaypointAllowNothing(chart, 'allow-nothing', {
      rootNamespace: 'mesh-root',
      namespace: 'mesh-root',
    });
    expect(synthValid(chart)[0].metadata.namespace).toBe('mesh-root');
  });

  test('fails on a namespace other than the root namespace, where Istio ignores a GatewayClass target', () => {
    expect(
      () => new WaypointAllowNothing(testChart(), 'allow-nothing', { namespace: 'bookinfo' }),
    ).toThrow(
      'test/allow-nothing: namespace "bookinfo" is not the root namespace "istio-system": ' +
        'Istio ignores a policy that targets a GatewayClass outside the root namespace',
    );
  });

  test('fails on an invalid GatewayClass name', () => {
    expect(
      () =>
        new WaypointAllowNothing(testChart(), 'allow-nothing', {
          waypointGatewayClass: 'Istio Waypoint',
        }),
    ).toThrow(
      'test/allow-nothing: waypointGatewayClass "Istio Waypoint" is not a valid Kubernetes name: use a DNS-1123 subdomain',
    );
  });

  test('fails on an invalid root namespace', () => {
    expect(
      () => new WaypointAllowNothing(testChart(), 'allow-nothing', { rootNamespace: '-root' }),
    ).toThrow('test/allow-nothing: rootNamespace "-root" is not a valid namespace');
  });

  test('fails on an istioApp that makes an invalid name', () => {
    expect(
      () => new WaypointAllowNothing(testChart(), 'allow-nothing', { istioApp: 'istio.' }),
    ).toThrow(
      'test/allow-nothing: istioApp makes the name "istio.-istio-system-policy-global-allow-nothing-waypoint" invalid',
    );
  });

  test('renders istio.io/dry-run "true" with dryRun, and takes another sync wave', () => {
    const chart = testChart();
    new WaypointAllowNothing(chart, 'a', { dryRun: true, syncWave: 3 });
    expect(synthValid(chart)[0].metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '3',
      'istio.io/dry-run': 'true',
    });
  });
});
