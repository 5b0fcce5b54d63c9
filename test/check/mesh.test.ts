// The mesh model and which policies reach which enforcement point (reference section 2:
// authorization.go l.420-433, workloads.go buildWorkloadPolicies, policyattachment.go
// ShouldAttachPolicy).
import { autoAllowPolicy } from '../../lib/check/mesh';
import {
  ALLOW_NOTHING,
  deployment,
  meshOf,
  namespace,
  policyObject,
  service,
  waypointGateway,
} from '../support/check-helpers';

const ingress = (ns: string, name: string, labels?: Record<string, string>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: ns },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    ...(labels ? { infrastructure: { labels } } : {}),
  },
});

function ids(list: readonly { id: string }[]): string[] {
  return list.map((p) => p.id);
}

describe('Mesh: workloads', () => {
  test('a workload is captured when its namespace is ambient, or its pod opts in; dataplane-mode none opts out', () => {
    const mesh = meshOf([
      namespace('amb'),
      namespace('plain', {}, false),
      deployment('amb', 'a'),
      deployment('amb', 'out', 'out', { 'istio.io/dataplane-mode': 'none' }),
      deployment('plain', 'b'),
      deployment('plain', 'in', 'in', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('undeclared', 'c'),
    ]);
    expect(mesh.workloads.map((w) => [w.namespace, w.name, w.ambient])).toEqual([
      ['amb', 'a', true],
      ['amb', 'out', false],
      ['plain', 'b', false],
      ['plain', 'in', true],
      ['undeclared', 'c', false],
    ]);
  });

  test('reads pod templates of every workload kind and bare Pods; service account defaults to default', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [] } };
    const mesh = meshOf([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template } },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c' },
        spec: { jobTemplate: { spec: { template } } },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { app: 'y' } },
        spec: { serviceAccountName: 'sa' },
      },
    ]);
    expect(mesh.workloads.map((w) => [w.kind, w.name, w.labels.app, w.identity.principal])).toEqual(
      [
        ['CronJob', 'c', 'x', 'cluster.local/ns/default/sa/default'],
        ['DaemonSet', 'd', 'x', 'cluster.local/ns/default/sa/default'],
        ['Job', 'j', 'x', 'cluster.local/ns/default/sa/default'],
        ['Pod', 'p', 'y', 'cluster.local/ns/default/sa/sa'],
        ['StatefulSet', 's', 'x', 'cluster.local/ns/default/sa/default'],
      ],
    );
  });

  test('an ingress gateway runs as <name>-istio with the gateway-name label', () => {
    const mesh = meshOf([namespace('gw'), ingress('gw', 'front', { team: 'a' })]);
    const workload = mesh.ingressGateway('gw', 'front')!.workload;
    expect(workload.identity.principal).toBe('cluster.local/ns/gw/sa/front-istio');
    expect(workload.labels).toEqual({
      team: 'a',
      'gateway.networking.k8s.io/gateway-name': 'front',
    });
    expect(workload.ambient).toBe(true);
  });

  test('a waypoint runs as its Gateway name (class istio-waypoint)', () => {
    const mesh = meshOf([waypointGateway('ns', 'wp')]);
    expect(mesh.waypoint('ns', 'wp')).toMatchObject({
      identity: { principal: 'cluster.local/ns/ns/sa/wp' },
      trafficType: 'service',
    });
  });

  test('fails on a repeated object, naming both places', () => {
    expect(() => meshOf([deployment('n', 'a'), deployment('n', 'a')])).toThrow(
      'mesh.yaml: document 2 (Deployment "n/a") metadata.name repeats Deployment n/a, already defined in mesh.yaml document 1; each object may be defined once',
    );
  });

  test('fails on an ambiguous workload name, and takes Kind/name', () => {
    const mesh = meshOf([
      deployment('n', 'a'),
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'a', namespace: 'n' },
        spec: {},
      },
    ]);
    expect(() => mesh.workload('n', 'a')).toThrow(
      'workload "a" names Deployment and StatefulSet objects in n; write "<Kind>/a"',
    );
    expect(mesh.workload('n', 'StatefulSet/a')?.kind).toBe('StatefulSet');
  });

  test('fails on a Service port that is not a number, and a bad waypoint-for label', () => {
    expect(() =>
      meshOf([
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 's' },
          spec: { ports: [{ port: '80' }] },
        },
      ]),
    ).toThrow(
      'document 1 (Service "default/s") spec.ports[0].port must be a port number, got "80"',
    );
    expect(() => meshOf([waypointGateway('n', 'w', 'everything')])).toThrow(
      'metadata.labels.istio.io/waypoint-for is "everything"; allowed: service, workload, all, none',
    );
  });

  test('a Service port is HTTP for a waypoint when its name or appProtocol says so', () => {
    const mesh = meshOf([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: {
          selector: { app: 's' },
          ports: [
            { name: 'http-web', port: 80 },
            { name: 'db', port: 5432 },
            { name: 'x', port: 81, appProtocol: 'http' },
            { port: 82 },
          ],
        },
      },
    ]);
    expect(mesh.service('default', 's')!.ports.map((p) => p.http)).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});

describe('Mesh.waypointKeyFor (istio.io/use-waypoint)', () => {
  const mesh = meshOf([namespace('n', { 'istio.io/use-waypoint': 'ns-wp' })]);

  test('the object label wins over the namespace label; none opts out', () => {
    expect(mesh.waypointKeyFor('n', {})).toBe('n/ns-wp');
    expect(mesh.waypointKeyFor('n', { 'istio.io/use-waypoint': 'own' })).toBe('n/own');
    expect(mesh.waypointKeyFor('n', { 'istio.io/use-waypoint': 'none' })).toBeUndefined();
    expect(mesh.waypointKeyFor('other', {})).toBeUndefined();
  });

  test('istio.io/use-waypoint-namespace points at a waypoint in another namespace', () => {
    expect(
      mesh.waypointKeyFor('n', {
        'istio.io/use-waypoint': 'shared',
        'istio.io/use-waypoint-namespace': 'infra',
      }),
    ).toBe('infra/shared');
  });
});

describe('Mesh.ztunnelPolicies: scope at ztunnel', () => {
  const mesh = meshOf([
    namespace('a'),
    namespace('b'),
    deployment('a', 'web', 'web', { tier: 'front' }),
    deployment('b', 'web', 'web'),
    ALLOW_NOTHING,
    policyObject('a', 'ns-wide', { rules: [{}] }),
    policyObject('a', 'select-web', {
      selector: { matchLabels: { app: 'web', tier: 'front' } },
      rules: [{}],
    }),
    policyObject('a', 'select-other', {
      selector: { matchLabels: { app: 'web', tier: 'back' } },
      rules: [{}],
    }),
    policyObject('istio-system', 'root-select', {
      selector: { matchLabels: { app: 'web' } },
      rules: [{}],
    }),
    policyObject('a', 'empty-selector', { selector: {}, rules: [{}] }),
    policyObject('a', 'targeted', {
      targetRefs: [{ kind: 'Service', group: '', name: 'web' }],
      rules: [{}],
    }),
    policyObject('a', 'custom', { action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] }),
    policyObject('a', 'audit', { action: 'AUDIT', rules: [{}] }),
    policyObject('a', 'dry', { action: 'DENY', rules: [{}] }, { 'istio.io/dry-run': 'true' }),
  ]);

  test('root without selector (mesh-wide), namespace without selector, matching selectors of the namespace and root', () => {
    expect(ids(mesh.ztunnelPolicies(mesh.workload('a', 'web')!))).toEqual([
      'a/ns-wide',
      'a/select-web',
      'istio-system/allow-nothing',
      'istio-system/root-select',
    ]);
  });

  test('root-namespace selectors hit every namespace; other namespaces policies do not', () => {
    expect(ids(mesh.ztunnelPolicies(mesh.workload('b', 'web')!))).toEqual([
      'istio-system/allow-nothing',
      'istio-system/root-select',
    ]);
  });

  test('the auto-allow waypoint policy is added to workloads behind a waypoint when enabled', () => {
    const documents = [
      namespace('n'),
      deployment('n', 'api'),
      service('n', 'api', 8080, { 'istio.io/use-waypoint': 'wp' }),
      deployment('n', 'lone'),
      waypointGateway('n', 'wp'),
    ];
    const off = meshOf(documents);
    const on = meshOf(documents, { autoAllowWaypointPolicy: true });
    expect(ids(off.ztunnelPolicies(off.workload('n', 'api')!))).toEqual([]);
    expect(ids(on.ztunnelPolicies(on.workload('n', 'api')!))).toEqual([
      'n/istio_allow_waypoint_n_wp',
    ]);
    expect(ids(on.ztunnelPolicies(on.workload('n', 'lone')!))).toEqual([]);
    expect(autoAllowPolicy(on.waypoint('n', 'wp')!).rules).toHaveLength(1);
  });

  // istiod adds the policy only where the waypoint really serves the workload:
  // fetchWaypointForWorkload needs waypoint-for workload|all, fetchWaypointForService needs
  // service|all (reference section 2, implicitWaypointPolicies).
  test('the auto-allow waypoint policy follows the traffic type the waypoint serves', () => {
    const on = meshOf(
      [
        namespace('n', { 'istio.io/use-waypoint': 'svc-only' }),
        deployment('n', 'client'),
        waypointGateway('n', 'svc-only'),
        namespace('m'),
        deployment('m', 'server'),
        service('m', 'server', 8080, { 'istio.io/use-waypoint': 'wl-only' }),
        waypointGateway('m', 'wl-only', 'workload'),
        deployment('m', 'pod', 'pod', { 'istio.io/use-waypoint': 'wl-only' }),
      ],
      { autoAllowWaypointPolicy: true },
    );
    // The namespace's waypoint serves services only: a pod that no Service selects is not behind it.
    expect(ids(on.ztunnelPolicies(on.workload('n', 'client')!))).toEqual([]);
    // A workload-only waypoint named by a Service does not serve that Service's pods...
    expect(ids(on.ztunnelPolicies(on.workload('m', 'server')!))).toEqual([]);
    // ...but does serve a pod that names it itself.
    expect(ids(on.ztunnelPolicies(on.workload('m', 'pod')!))).toEqual([
      'm/istio_allow_waypoint_m_wl-only',
    ]);
  });
});

describe('Mesh.waypointPolicies: waypoints honour only targetRefs', () => {
  const mesh = meshOf([
    namespace('app'),
    namespace('infra'),
    deployment('app', 'api'),
    service('app', 'api', 8080, {
      'istio.io/use-waypoint': 'wp',
      'istio.io/use-waypoint-namespace': 'infra',
    }),
    waypointGateway('infra', 'wp'),
    waypointGateway('app', 'local'),
    ALLOW_NOTHING,
    policyObject('app', 'ns-wide', { rules: [{}] }),
    policyObject('infra', 'to-gateway', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }],
      rules: [{}],
    }),
    policyObject('app', 'cross-ns-gateway', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'wp' }],
      rules: [{}],
    }),
    policyObject('app', 'to-service', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
      rules: [{}],
    }),
    policyObject('istio-system', 'to-class', {
      targetRefs: [
        { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
      ],
      rules: [{}],
    }),
    policyObject('app', 'to-class-not-root', {
      targetRefs: [
        { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
      ],
      rules: [{}],
    }),
  ]);

  test('Gateway (same namespace), Service (its namespace), GatewayClass (root only); no selector/namespace/root', () => {
    expect(
      ids(mesh.waypointPolicies(mesh.waypoint('infra', 'wp')!, mesh.service('app', 'api'))),
    ).toEqual(['app/to-service', 'infra/to-gateway', 'istio-system/to-class']);
  });

  test('a policy in the service namespace targeting a waypoint elsewhere does not apply ("gateway attached policy with cross-namespace service")', () => {
    expect(ids(mesh.waypointPolicies(mesh.waypoint('infra', 'wp')!))).not.toContain(
      'app/cross-ns-gateway',
    );
  });

  test('Service policies apply only on that service chain; Gateway policies only to their waypoint', () => {
    expect(ids(mesh.waypointPolicies(mesh.waypoint('app', 'local')!))).toEqual([
      'istio-system/to-class',
    ]);
  });
});

describe('Mesh.gatewayPolicies: Gateway-API ingress gateways', () => {
  test('targetRefs to the Gateway, plus root, namespace and selector policies; Service targets do not apply', () => {
    const mesh = meshOf([
      namespace('gw', {}, false),
      ingress('gw', 'front'),
      ALLOW_NOTHING,
      policyObject('gw', 'ns-wide', { rules: [{}] }),
      policyObject('gw', 'by-label', {
        selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'front' } },
        rules: [{}],
      }),
      policyObject('gw', 'to-front', {
        targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'front' }],
        rules: [{}],
      }),
      policyObject('gw', 'to-other', {
        targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'other' }],
        rules: [{}],
      }),
      policyObject('gw', 'empty-selector', { selector: {}, rules: [{}] }),
      policyObject('gw', 'custom', { action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] }),
    ]);
    expect(ids(mesh.gatewayPolicies(mesh.ingressGateway('gw', 'front')!))).toEqual([
      'gw/by-label',
      'gw/custom',
      'gw/empty-selector',
      'gw/ns-wide',
      'gw/to-front',
      'istio-system/allow-nothing',
    ]);
  });

  // A root-namespace selector reaches every namespace, and Envoy reads `selector: {}` as
  // selecting everything (reference section 2), so a root `selector: {}` policy lands on
  // ingress gateways in every namespace.
  test('a root-namespace empty selector reaches gateways in other namespaces', () => {
    const mesh = meshOf([
      namespace('gw', {}, false),
      ingress('gw', 'front'),
      policyObject('istio-system', 'root-empty', {
        selector: {},
        action: 'DENY',
        rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }],
      }),
    ]);
    expect(ids(mesh.gatewayPolicies(mesh.ingressGateway('gw', 'front')!))).toEqual([
      'istio-system/root-empty',
    ]);
  });
});

describe('Mesh options', () => {
  test('rootNamespace and trustDomain change scope and identities', () => {
    const mesh = meshOf(
      [namespace('a'), deployment('a', 'x'), policyObject('mesh-root', 'all', { rules: [{}] })],
      {
        rootNamespace: 'mesh-root',
        trustDomain: 'corp.example',
      },
    );
    const workload = mesh.workload('a', 'x')!;
    expect(workload.identity.principal).toBe('corp.example/ns/a/sa/x');
    expect(ids(mesh.ztunnelPolicies(workload))).toEqual(['mesh-root/all']);
  });

  test.each<[string, object, string]>([
    [
      'a root namespace that is no DNS-1123 label',
      { rootNamespace: 'Istio-System' },
      'rootNamespace "Istio-System" is not a valid namespace',
    ],
    ['a root namespace with a space', { rootNamespace: 'X Y' }, 'rootNamespace "X Y" is not'],
    ['a wildcard trust domain', { trustDomain: '*' }, 'trustDomain "*" is not a trust domain'],
    [
      'an upper-case trust domain',
      { trustDomain: 'Cluster.Local' },
      'trustDomain "Cluster.Local" is not a trust domain',
    ],
  ])('refuses %s: it would silently match no policy or principal', (_, options, message) => {
    expect(() => meshOf([namespace('a')], options)).toThrow(message);
  });
});
