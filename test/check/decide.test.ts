// The path of a request and the identity each point sees (reference section 2, "Identity seen by
// each enforcement point", "Ingress gateway pods and ztunnel", auto-allow waypoint; section 5).
import { decide, decideFromWorkload } from '../../lib/check/decide';
import {
  ALLOW_NOTHING,
  deployment,
  meshOf,
  namespace,
  policyObject,
  service,
  waypointGateway,
} from '../support/check-helpers';

const GATEWAY_CLASS = 'gateway.networking.k8s.io';

function ingress(ns: string, name: string) {
  return {
    apiVersion: `${GATEWAY_CLASS}/v1`,
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
}

function route(ns: string, gateway: string, backend: string, port: number, path = '/') {
  return {
    apiVersion: `${GATEWAY_CLASS}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: `to-${backend}`, namespace: ns },
    spec: {
      parentRefs: [{ name: gateway }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: path } }],
          backendRefs: [{ name: backend, port }],
        },
      ],
    },
  };
}

const allowFrom = (ns: string, name: string, app: string, principals: string[]) =>
  policyObject(ns, name, {
    selector: { matchLabels: { app } },
    rules: [{ from: [{ source: { principals } }] }],
  });

const BASE = [
  namespace('app'),
  deployment('app', 'client'),
  deployment('app', 'api'),
  service('app', 'api', 80, {}, { target: 8080 }),
];

describe('decide: service traffic without a waypoint', () => {
  test('the destination ztunnel sees the client identity', () => {
    const mesh = meshOf([
      ...BASE,
      ALLOW_NOTHING,
      allowFrom('app', 'api-allow', 'api', ['cluster.local/ns/app/sa/client']),
    ]);
    const decision = decide(mesh, {
      from: { workload: 'client', namespace: 'app' },
      to: { service: 'api', namespace: 'app', port: 80 },
    });
    expect(decision).toMatchObject({
      decision: 'allow',
      enforcedBy: null,
      policy: 'app/api-allow',
    });
    expect(decision.hops.map((h) => h.target)).toEqual(['ztunnel of Deployment app/api']);
  });

  test('a root allow-nothing denies at the destination ztunnel, naming it', () => {
    const mesh = meshOf([...BASE, ALLOW_NOTHING]);
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }),
    ).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'istio-system/allow-nothing',
      reason:
        'ztunnel of Deployment app/api: no ALLOW policy matches (applying: istio-system/allow-nothing)',
    });
  });

  test('ports match the target (pod) port, not the Service port', () => {
    const byPort = (port: string) =>
      meshOf([
        ...BASE,
        policyObject('app', 'ports', {
          selector: { matchLabels: { app: 'api' } },
          rules: [{ to: [{ operation: { ports: [port] } }] }],
        }),
      ]);
    const input = {
      from: { workload: 'client', namespace: 'app' },
      to: { service: 'api', namespace: 'app', port: 80 },
    };
    expect(decide(byPort('8080'), input).decision).toBe('allow');
    expect(decide(byPort('80'), input).decision).toBe('deny');
  });

  test('a named targetPort resolves to the backend container port', () => {
    const mesh = meshOf([
      namespace('app'),
      deployment('app', 'client'),
      deployment('app', 'api', 'api', {}, [{ name: 'web', containerPort: 9000 }]),
      service('app', 'api', 80, {}, { target: 'web' }),
      policyObject('app', 'ports', { rules: [{ to: [{ operation: { ports: ['9000'] } }] }] }),
    ]);
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }).decision,
    ).toBe('allow');
  });

  test('a plaintext source has no identity: satisfies notPrincipals, never principals', () => {
    const mesh = meshOf([
      ...BASE,
      policyObject('app', 'deny-non-mesh', {
        action: 'DENY',
        rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }],
      }),
    ]);
    expect(
      decide(mesh, {
        from: { ip: '192.0.2.1' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }),
    ).toMatchObject({
      decision: 'deny',
      policy: 'app/deny-non-mesh',
    });
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }).decision,
    ).toBe('allow');
  });

  test('a workload in a namespace that is not ambient is a plaintext source', () => {
    const mesh = meshOf([
      ...BASE,
      namespace('legacy', {}, false),
      deployment('legacy', 'old'),
      ALLOW_NOTHING,
      policyObject('app', 'any-mesh', { rules: [{ from: [{ source: { principals: ['*'] } }] }] }),
    ]);
    expect(
      decide(mesh, {
        from: { workload: 'old', namespace: 'legacy' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }).decision,
    ).toBe('deny');
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }).decision,
    ).toBe('allow');
  });

  test('ipBlocks see the plaintext source address', () => {
    const mesh = meshOf([
      ...BASE,
      ALLOW_NOTHING,
      policyObject('app', 'office', {
        rules: [{ from: [{ source: { ipBlocks: ['192.0.2.0/24'] } }] }],
      }),
    ]);
    const to = { service: 'api', namespace: 'app', port: 80 };
    expect(decide(mesh, { from: { ip: '192.0.2.9' }, to }).decision).toBe('allow');
    expect(decide(mesh, { from: { ip: '198.51.100.1' }, to }).decision).toBe('deny');
  });

  test('dry-run policies never decide (section 5)', () => {
    const mesh = meshOf([
      ...BASE,
      policyObject(
        'app',
        'dry-deny',
        { action: 'DENY', rules: [{}] },
        { 'istio.io/dry-run': 'true' },
      ),
      policyObject(
        'app',
        'dry-allow',
        { rules: [{ from: [{ source: { principals: ['nobody'] } }] }] },
        { 'istio.io/dry-run': 'true' },
      ),
    ]);
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }),
    ).toMatchObject({
      decision: 'allow',
      policy: null,
    });
  });

  test('CUSTOM and AUDIT policies are not enforced at ztunnel (authorization.go l.434-444)', () => {
    const mesh = meshOf([
      ...BASE,
      policyObject('app', 'custom', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
      policyObject('app', 'audit', { action: 'AUDIT', rules: [{}] }),
    ]);
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      }).decision,
    ).toBe('allow');
  });

  test('a destination no ztunnel captures has no enforcement point', () => {
    const mesh = meshOf([
      namespace('plain', {}, false),
      deployment('plain', 'a'),
      service('plain', 'a'),
      ALLOW_NOTHING,
    ]);
    expect(
      decide(mesh, {
        from: { ip: '10.0.0.1' },
        to: { service: 'a', namespace: 'plain', port: 8080 },
      }),
    ).toMatchObject({
      decision: 'allow',
      reason: 'no enforcement point on the path: neither end is captured by ztunnel',
    });
  });

  test('a Service is allowed only when every backend allows', () => {
    const mesh = meshOf([
      namespace('app'),
      deployment('app', 'client'),
      deployment('app', 'v1', 'v1', { app: 'api' }),
      deployment('app', 'v2', 'v2', { app: 'api' }),
      {
        ...service('app', 'api'),
        spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
      },
      policyObject('app', 'v2-closed', { selector: { matchLabels: { app: 'v2' } }, rules: [] }),
    ]);
    // Pod labels are app: v1 / app: v2 overridden by app: api; v2-closed selects none.
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 8080 },
      }).decision,
    ).toBe('allow');
    const closed = meshOf([
      namespace('app'),
      deployment('app', 'client'),
      deployment('app', 'v1', 'v1', { app: 'api', version: 'v1' }),
      deployment('app', 'v2', 'v2', { app: 'api', version: 'v2' }),
      {
        ...service('app', 'api'),
        spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
      },
      policyObject('app', 'v2-closed', { selector: { matchLabels: { version: 'v2' } } }),
    ]);
    expect(
      decide(closed, {
        from: { workload: 'client', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 8080 },
      }),
    ).toMatchObject({
      decision: 'deny',
      reason: 'ztunnel of Deployment app/v2: no ALLOW policy matches (applying: app/v2-closed)',
    });
  });
});

describe('decide: through a waypoint', () => {
  const WAYPOINTED = [
    namespace('app', { 'istio.io/use-waypoint': 'waypoint' }),
    deployment('app', 'client'),
    deployment('app', 'api'),
    service('app', 'api', 8080),
    waypointGateway('app'),
  ];
  const l7 = policyObject('app', 'api-get', {
    targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/app/sa/client'] } }],
        to: [{ operation: { methods: ['GET'] } }],
      },
    ],
  });
  const input = (method: string) => ({
    from: { workload: 'client', namespace: 'app' },
    to: { service: 'api', namespace: 'app', port: 8080 },
    request: { method },
  });

  test('the waypoint sees the original client identity and the HTTP request', () => {
    const mesh = meshOf([...WAYPOINTED, l7]);
    expect(decide(mesh, input('GET'))).toMatchObject({ decision: 'allow', policy: 'app/api-get' });
    expect(decide(mesh, input('POST'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'waypoint',
      policy: 'app/api-get',
    });
  });

  test('the destination ztunnel then sees the waypoint identity <td>/ns/<ns>/sa/<waypoint>', () => {
    const onlyClient = meshOf([
      ...WAYPOINTED,
      l7,
      allowFrom('app', 'l4', 'api', ['cluster.local/ns/app/sa/client']),
    ]);
    expect(decide(onlyClient, input('GET'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'app/l4',
    });
    const withWaypoint = meshOf([
      ...WAYPOINTED,
      l7,
      allowFrom('app', 'l4', 'api', ['cluster.local/ns/app/sa/waypoint']),
    ]);
    expect(decide(withWaypoint, input('GET'))).toMatchObject({
      decision: 'allow',
      policy: 'app/l4',
    });
  });

  test('waypoints ignore root, namespace and selector policies', () => {
    const mesh = meshOf([
      ...WAYPOINTED,
      policyObject('app', 'ns-deny', {
        action: 'DENY',
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ]);
    // The namespace DENY reaches only ztunnel, where methods make it a no-op (section 3).
    expect(decide(mesh, input('GET')).decision).toBe('allow');
  });

  test('with a root allow-nothing, the waypoint identity needs an ALLOW at ztunnel; auto-allow provides it', () => {
    const documents = [...WAYPOINTED, ALLOW_NOTHING, l7];
    expect(decide(meshOf(documents), input('GET'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'istio-system/allow-nothing',
    });
    expect(
      decide(meshOf(documents, { autoAllowWaypointPolicy: true }), input('GET')),
    ).toMatchObject({
      decision: 'allow',
      policy: 'app/istio_allow_waypoint_app_waypoint',
    });
  });

  test('a waypoint named by a label but absent from the manifests denies', () => {
    const mesh = meshOf([
      namespace('app', { 'istio.io/use-waypoint': 'ghost' }),
      deployment('app', 'client'),
      deployment('app', 'api'),
      service('app', 'api', 8080),
    ]);
    expect(decide(mesh, input('GET'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'waypoint',
      policy: null,
      reason:
        'waypoint app/ghost: the waypoint app/ghost is not in the manifests, so traffic that must cross it fails',
    });
  });

  test('plaintext sources bypass the waypoint (no ztunnel sends them there)', () => {
    const mesh = meshOf([...WAYPOINTED, l7]);
    expect(
      decide(mesh, {
        from: { ip: '10.0.0.1' },
        to: { service: 'api', namespace: 'app', port: 8080 },
      }).hops.map((h) => h.point),
    ).toEqual(['ztunnel']);
  });

  test('a TCP service port at the waypoint skips ALLOW rules with HTTP fields', () => {
    const mesh = meshOf([
      ...WAYPOINTED.slice(0, 3),
      service('app', 'api', 8080, {}, { portName: 'tcp' }),
      waypointGateway('app'),
      l7,
    ]);
    expect(decide(mesh, input('GET'))).toMatchObject({ decision: 'deny', enforcedBy: 'waypoint' });
  });

  test('pod-direct traffic ignores a missing waypoint, whose default traffic type is service', () => {
    const mesh = meshOf([
      namespace('app', { 'istio.io/use-waypoint': 'ghost' }),
      deployment('app', 'client'),
      deployment('app', 'api'),
    ]);
    expect(
      decide(mesh, {
        from: { workload: 'client', namespace: 'app' },
        to: { workload: 'api', namespace: 'app', port: 8080 },
      }).hops.map((h) => h.point),
    ).toEqual(['ztunnel']);
  });

  test('pod-direct traffic uses the waypoint only when it serves workload traffic', () => {
    const direct = {
      from: { workload: 'client', namespace: 'app' },
      to: { workload: 'api', namespace: 'app', port: 8080 },
    };
    const serviceOnly = meshOf([...WAYPOINTED, l7]);
    expect(decide(serviceOnly, direct).hops.map((h) => h.point)).toEqual(['ztunnel']);
    const all = meshOf([...WAYPOINTED.slice(0, 4), waypointGateway('app', 'waypoint', 'all'), l7]);
    expect(decide(all, direct).hops.map((h) => h.point)).toEqual(['waypoint', 'ztunnel']);
  });
});

describe('decide: through an ingress gateway', () => {
  const INGRESS = [
    namespace('app'),
    deployment('app', 'api'),
    service('app', 'api', 8080),
    ingress('app', 'front'),
    route('app', 'front', 'api', 8080),
  ];
  const external = {
    from: { external: '203.0.113.5' },
    to: { gateway: 'front', namespace: 'app', port: 80 },
    request: { path: '/x' },
  };

  test('the backend ztunnel sees the gateway identity <gateway>-istio', () => {
    const mesh = meshOf([
      ...INGRESS,
      allowFrom('app', 'from-gw', 'api', ['cluster.local/ns/app/sa/front-istio']),
    ]);
    const decision = decide(mesh, external);
    expect(decision).toMatchObject({ decision: 'allow', policy: 'app/from-gw' });
    expect(decision.hops.map((h) => h.target)).toEqual([
      'ztunnel of gateway app/front',
      'gateway app/front',
      'ztunnel of Deployment app/api',
    ]);
  });

  test('a gateway pod in an ambient namespace is captured: a root allow-nothing denies at its ztunnel first', () => {
    const mesh = meshOf([...INGRESS, ALLOW_NOTHING]);
    expect(decide(mesh, external)).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'istio-system/allow-nothing',
      reason:
        'ztunnel of gateway app/front: no ALLOW policy matches (applying: istio-system/allow-nothing)',
    });
  });

  test('opening it takes an L4 ALLOW by gateway-name label and an ALLOW its Envoy honours', () => {
    const mesh = meshOf([
      ...INGRESS,
      ALLOW_NOTHING,
      policyObject('app', 'gw-l4', {
        selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'front' } },
        rules: [{ to: [{ operation: { ports: ['80'] } }] }],
      }),
      allowFrom('app', 'from-gw', 'api', ['cluster.local/ns/app/sa/front-istio']),
    ]);
    expect(decide(mesh, external)).toMatchObject({ decision: 'allow', policy: 'app/from-gw' });
  });

  test('a gateway in a namespace that is not ambient sees only its Envoy policies', () => {
    const mesh = meshOf([
      namespace('edge', {}, false),
      ingress('edge', 'front'),
      ...INGRESS.slice(0, 3),
      {
        ...route('edge', 'front', 'api', 8080),
        spec: {
          parentRefs: [{ name: 'front' }],
          rules: [{ backendRefs: [{ name: 'api', namespace: 'app', port: 8080 }] }],
        },
      },
      policyObject('edge', 'only-office', {
        targetRefs: [{ kind: 'Gateway', group: GATEWAY_CLASS, name: 'front' }],
        rules: [{ from: [{ source: { ipBlocks: ['192.0.2.0/24'] } }] }],
      }),
    ]);
    const to = { gateway: 'front', namespace: 'edge', port: 80 };
    expect(decide(mesh, { from: { external: '192.0.2.1' }, to }).decision).toBe('allow');
    expect(decide(mesh, { from: { external: '198.51.100.1' }, to })).toMatchObject({
      decision: 'deny',
      enforcedBy: 'gateway',
      policy: 'edge/only-office',
    });
    expect(decide(mesh, { from: { external: '192.0.2.1' }, to }).hops[0].target).toBe(
      'gateway edge/front',
    );
  });

  test('the gateway uses the backend waypoint only with istio.io/ingress-use-waypoint', () => {
    const documents = (labels: Record<string, string>) => [
      namespace('app', { 'istio.io/use-waypoint': 'waypoint' }),
      deployment('app', 'api'),
      service('app', 'api', 8080, labels),
      waypointGateway('app'),
      ingress('app', 'front'),
      route('app', 'front', 'api', 8080),
    ];
    expect(decide(meshOf(documents({})), external).hops.map((h) => h.point)).toEqual([
      'ztunnel',
      'gateway',
      'ztunnel',
    ]);
    expect(
      decide(meshOf(documents({ 'istio.io/ingress-use-waypoint': 'true' })), external).hops.map(
        (h) => h.point,
      ),
    ).toEqual(['ztunnel', 'gateway', 'waypoint', 'ztunnel']);
  });

  test('a request no HTTPRoute matches is denied by the gateway (404)', () => {
    const mesh = meshOf([...INGRESS.slice(0, 4), route('app', 'front', 'api', 8080, '/api')]);
    expect(decide(mesh, external)).toMatchObject({
      decision: 'deny',
      enforcedBy: 'gateway',
      policy: null,
      reason:
        'gateway app/front: no HTTPRoute of the gateway matches GET front-istio.app.svc.cluster.local/x (404)',
    });
  });
});

describe('decide: bad input', () => {
  const mesh = meshOf([...BASE, waypointGateway('app'), ingress('app', 'front')]);
  test.each<[string, Parameters<typeof decide>[1], string]>([
    [
      'unknown source workload',
      {
        from: { workload: 'nope', namespace: 'app' },
        to: { service: 'api', namespace: 'app', port: 80 },
      },
      'from.workload is "nope", but no workload of that name is in namespace "app" of the manifests',
    ],
    [
      'unknown service',
      { from: { ip: '10.0.0.1' }, to: { service: 'nope', namespace: 'app', port: 80 } },
      'to.service is "nope", but no Service of that name is in namespace "app" of the manifests',
    ],
    [
      'unknown workload target',
      { from: { ip: '10.0.0.1' }, to: { workload: 'nope', namespace: 'app', port: 80 } },
      'to.workload is "nope", but no workload of that name',
    ],
    [
      'unknown gateway',
      { from: { ip: '10.0.0.1' }, to: { gateway: 'nope', namespace: 'app', port: 80 } },
      'to.gateway is "nope", but no Gateway of class "istio" of that name',
    ],
    [
      'a waypoint as gateway',
      { from: { ip: '10.0.0.1' }, to: { gateway: 'waypoint', namespace: 'app', port: 80 } },
      'to.gateway is "waypoint", a waypoint; address the Service or workload behind it instead',
    ],
    [
      'a port the Service lacks',
      { from: { ip: '10.0.0.1' }, to: { service: 'api', namespace: 'app', port: 81 } },
      'to.port is 81, but Service app/api has ports 80',
    ],
    [
      'a port the gateway lacks',
      { from: { ip: '10.0.0.1' }, to: { gateway: 'front', namespace: 'app', port: 443 } },
      'to.port is 443, but Gateway app/front listens on 80',
    ],
    [
      'a malformed IP',
      { from: { ip: '10.0.0' }, to: { service: 'api', namespace: 'app', port: 80 } },
      'from.ip is "10.0.0", which is not an IPv4 or IPv6 address',
    ],
  ])('fails on %s', (_, input, message) => {
    expect(() => decide(mesh, input)).toThrow(message);
  });

  test('fails on a Service that selects nothing', () => {
    const empty = meshOf([namespace('app'), service('app', 'lonely')]);
    expect(() =>
      decide(empty, {
        from: { ip: '10.0.0.1' },
        to: { service: 'lonely', namespace: 'app', port: 8080 },
      }),
    ).toThrow('to.service names Service app/lonely, which selects no workload in the manifests');
  });

  test('namespaces default to the given one', () => {
    expect(
      decide(mesh, { from: { workload: 'client' }, to: { service: 'api', port: 80 } }, 'app')
        .decision,
    ).toBe('allow');
  });
});

describe('decideFromWorkload', () => {
  test('decides a matrix cell from a workload', () => {
    const mesh = meshOf([...BASE, ALLOW_NOTHING]);
    expect(
      decideFromWorkload(mesh, mesh.workload('app', 'client')!, mesh.service('app', 'api')!, 80)
        .decision,
    ).toBe('deny');
  });
});
