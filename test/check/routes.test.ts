// Ingress routing: which backend an HTTPRoute sends a request to (Gateway API precedence).
import { routeRequest } from '../../lib/check/routes';
import { http, meshOf, namespace } from '../support/check-helpers';

const gateway = (listener: Record<string, unknown> = {}) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'edge' },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', ...listener }],
  },
});

const httpRoute = (name: string, ns: string, spec: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: ns },
  spec: { parentRefs: [{ name: 'gw', namespace: 'edge' }], ...spec },
});

function route(documents: object[], request = http(), listener?: Record<string, unknown>) {
  const mesh = meshOf([namespace('edge'), gateway(listener), ...documents]);
  const gw = mesh.ingressGateway('edge', 'gw')!;
  return routeRequest(mesh, gw, gw.listeners[0], request);
}

const backend = (name: string) => [{ name, port: 80 }];

describe('routeRequest', () => {
  test('exact path beats the longest prefix, which beats a shorter one', () => {
    const documents = [
      httpRoute('r', 'edge', {
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: backend('root') },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            backendRefs: backend('api'),
          },
          {
            matches: [{ path: { type: 'Exact', value: '/api/login' } }],
            backendRefs: backend('login'),
          },
        ],
      }),
    ];
    expect(route(documents, http({ path: '/api/login' }))?.backends[0].service).toBe('login');
    expect(route(documents, http({ path: '/api/x?y=1' }))?.backends[0].service).toBe('api');
    expect(route(documents, http({ path: '/apix' }))?.backends[0].service).toBe('root');
  });

  test('method and header matches narrow a rule', () => {
    const documents = [
      httpRoute('r', 'edge', {
        rules: [
          {
            matches: [{ method: 'POST', headers: [{ name: 'X-Env', value: 'test' }] }],
            backendRefs: backend('post'),
          },
        ],
      }),
    ];
    expect(
      route(documents, http({ method: 'POST', headers: { 'x-env': 'test' } }))?.backends[0].service,
    ).toBe('post');
    expect(route(documents, http({ method: 'GET', headers: { 'x-env': 'test' } }))).toBeUndefined();
    expect(route(documents, http({ method: 'POST' }))).toBeUndefined();
  });

  test('hostnames of the route and the listener must match the Host header', () => {
    const documents = [
      httpRoute('r', 'edge', {
        hostnames: ['*.example.com'],
        rules: [{ backendRefs: backend('web') }],
      }),
    ];
    expect(route(documents, http({ host: 'www.example.com:80' }))?.backends[0].service).toBe('web');
    expect(route(documents, http({ host: 'example.org' }))).toBeUndefined();
    expect(
      route(documents, http({ host: 'www.example.com' }), { hostname: 'api.example.com' }),
    ).toBeUndefined();
  });

  test('routes from other namespaces attach only when allowedRoutes allows them', () => {
    const documents = [
      namespace('team', { shared: 'yes' }),
      httpRoute('r', 'team', { rules: [{ backendRefs: backend('web') }] }),
    ];
    expect(route(documents)).toBeUndefined();
    expect(
      route(documents, http(), { allowedRoutes: { namespaces: { from: 'All' } } })?.route,
    ).toBe('team/r');
    expect(
      route(documents, http(), {
        allowedRoutes: {
          namespaces: { from: 'Selector', selector: { matchLabels: { shared: 'yes' } } },
        },
      })?.route,
    ).toBe('team/r');
  });

  test('backends with weight 0 are left out; backend namespace defaults to the route', () => {
    const documents = [
      httpRoute('r', 'edge', {
        rules: [
          {
            backendRefs: [
              { name: 'a', port: 80, weight: 0 },
              { name: 'b', port: 81 },
            ],
          },
        ],
      }),
    ];
    expect(route(documents)?.backends).toEqual([{ service: 'b', namespace: 'edge', port: 81 }]);
  });

  test('fails on an unreadable HTTPRoute, naming the file and field', () => {
    const documents = [
      httpRoute('r', 'edge', { rules: [{ matches: [{ path: { type: 'Glob', value: '/' } }] }] }),
    ];
    expect(() => route(documents)).toThrow(
      'mesh.yaml: HTTPRoute "edge/r" spec.rules[0].matches[0].path.type is "Glob"; allowed: Exact, PathPrefix, RegularExpression',
    );
  });
});
