import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ServiceAllow, ServiceAllowRule, ServiceTarget, Source } from '../lib';
import { policiesOf, synthError, synthMixed } from './support/policies';
import { synthValid, testChart } from './support/synth';

const details = ServiceTarget.service('default', 'details');
const productpage = Source.serviceAccount('default', 'bookinfo-productpage');

describe('ServiceAllow', () => {
  test('renders a targetRefs ALLOW with operations (snapshot)', () => {
    const chart = testChart();
    const allow = new ServiceAllow(chart, 'productpage-to-details', {
      name: 'productpage-to-details',
      targets: [details],
      rules: [{ from: [productpage], to: [{ ports: [9080], methods: ['GET'] }] }],
    });
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'productpage-to-details',
          namespace: 'default',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: {
          action: 'ALLOW',
          targetRefs: [{ group: '', kind: 'Service', name: 'details' }],
          rules: [
            {
              from: [
                { source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } },
              ],
              to: [{ operation: { ports: ['9080'], methods: ['GET'] } }],
            },
          ],
        },
      },
    ]);
    expect(allow.namespace).toBe('default');
  });

  test('targets a waypoint, a ServiceEntry and several Services, each once', () => {
    const chart = testChart();
    const allow = new ServiceAllow(chart, 'allow', {
      targets: [details, ServiceTarget.waypoint('default', 'waypoint')],
      rules: [{ from: [productpage] }],
    });
    allow.addTarget(ServiceTarget.serviceEntry('default', 'httpbin-org'));
    allow.addTarget(ServiceTarget.service('default', 'details'));
    expect(synthValid(chart)[0].spec.targetRefs).toEqual([
      { group: '', kind: 'Service', name: 'details' },
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' },
      { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'httpbin-org' },
    ]);
  });

  test('takes HTTP sources, paths, hosts and HTTP conditions, which the waypoint enforces', () => {
    const chart = testChart();
    const allow = new ServiceAllow(chart, 'allow', { targets: [details] });
    allow.addRule({
      from: [
        Source.requestPrincipal('https://issuer.example/*'),
        Source.remoteIpBlocks('192.0.2.0/24'),
      ],
      to: [
        {
          methods: ['GET', 'HEAD'],
          paths: ['/details/*', '/health'],
          hosts: ['details', '*.example.com'],
        },
        { paths: ['/api/{*}/info'] },
      ],
      when: [{ key: 'request.headers[x-tenant]', values: ['a'], notValues: ['b'] }],
    });
    allow.addRule({ from: [Source.trustDomain('partner.example')] });
    expect(synthValid(chart)[0].spec.rules).toEqual([
      {
        from: [
          { source: { requestPrincipals: ['https://issuer.example/*'] } },
          { source: { remoteIpBlocks: ['192.0.2.0/24'] } },
        ],
        to: [
          {
            operation: {
              methods: ['GET', 'HEAD'],
              paths: ['/details/*', '/health'],
              hosts: ['details', '*.example.com'],
            },
          },
          { operation: { paths: ['/api/{*}/info'] } },
        ],
        when: [{ key: 'request.headers[x-tenant]', values: ['a'], notValues: ['b'] }],
      },
      { from: [{ source: { trustDomains: ['partner.example'] } }] },
    ]);
  });

  test('targets a cdk8s-plus Service and allows a cdk8s-plus workload', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const account = new kplus.ServiceAccount(chart, 'web-sa', { metadata: { name: 'web' } });
    const web = new kplus.Deployment(chart, 'web', {
      serviceAccount: account,
      containers: [{ image: 'web', portNumber: 8080 }],
    });
    const api = new kplus.Deployment(chart, 'api', {
      containers: [{ image: 'api', portNumber: 8080 }],
    });
    const service = api.exposeViaService({ name: 'api', ports: [{ port: 8080, name: 'http' }] });
    new ServiceAllow(chart, 'web-to-api', {
      targets: [ServiceTarget.fromService(service)],
      rules: [{ from: [Source.fromWorkload(web)], to: [{ methods: ['GET'] }] }],
    });
    const [policy] = policiesOf(synthMixed(chart));
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'api' }]);
    expect(policy.spec.rules[0].from).toEqual([
      { source: { principals: ['cluster.local/ns/shop/sa/web'] } },
    ]);
  });

  // Istio's protocol selection: a port is HTTP only by its name (or appProtocol); a waypoint
  // serves any other as TCP, where an ALLOW rule with HTTP fields is skipped (reference
  // section 3, Envoy TCP chains).
  describe('a cdk8s-plus Service port not declared HTTP', () => {
    function setup(portName?: string) {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const api = new kplus.Deployment(chart, 'api', {
        containers: [{ image: 'api', portNumber: 8080 }],
      });
      const service = api.exposeViaService({
        name: 'api',
        ports: [{ port: 8080, ...(portName ? { name: portName } : {}) }],
      });
      return { chart, target: ServiceTarget.fromService(service) };
    }

    test('fails at synth for a rule with HTTP fields, which would never match there', () => {
      const { chart, target } = setup('tcp-api');
      new ServiceAllow(chart, 'web-to-api', {
        targets: [target],
        rules: [{ from: [Source.serviceAccount('shop', 'web')], to: [{ methods: ['GET'] }] }],
      });
      expect(() => Testing.synth(chart)).toThrow(
        '[shop/web-to-api] targets[0] Service shop/api port 8080 (named "tcp-api") is not declared ' +
          'HTTP, so a waypoint serves it as TCP and skips rules[0], which use HTTP fields',
      );
    });

    test('accepts a rule without HTTP fields, which a TCP port does evaluate', () => {
      const { chart, target } = setup();
      new ServiceAllow(chart, 'web-to-api', {
        targets: [target],
        rules: [{ from: [Source.serviceAccount('shop', 'web')] }],
      });
      expect(policiesOf(synthMixed(chart))).toHaveLength(1);
    });

    test.each(['http', 'http-api', 'http2', 'grpc', 'grpc-web-x'])(
      'accepts a port named %s',
      (name) => {
        const { chart, target } = setup(name);
        new ServiceAllow(chart, 'web-to-api', {
          targets: [target],
          rules: [{ from: [Source.serviceAccount('shop', 'web')], to: [{ methods: ['GET'] }] }],
        });
        expect(policiesOf(synthMixed(chart))).toHaveLength(1);
      },
    );
  });

  describe('refusals', () => {
    test('fails on a target in another namespace (cross-namespace targetRefs are ignored)', () => {
      expect(
        () =>
          new ServiceAllow(testChart(), 'allow', {
            targets: [details, ServiceTarget.service('shop', 'api')],
          }),
      ).toThrow(
        'test/allow: targets[1] Service shop/api is in namespace "shop", but this policy is in ' +
          '"default": Istio does not support cross-namespace targetRefs; write one ServiceAllow ' +
          'per namespace',
      );
    });

    test('fails on no target (a waypoint ignores a policy without targetRefs)', () => {
      expect(() => new ServiceAllow(testChart(), 'allow', { targets: [] })).toThrow(
        'test/allow: targets is []: give at least one ServiceTarget; a waypoint ignores a policy ' +
          'without targetRefs',
      );
    });

    test('fails on a target not built with the factories', () => {
      expect(
        () =>
          new ServiceAllow(testChart(), 'allow', {
            targets: [{ kind: 'Service', name: 'details' } as unknown as ServiceTarget],
          }),
      ).toThrow(
        'test/allow: targets[0] is {"kind":"Service","name":"details"}; build it with ' +
          'ServiceTarget.service()',
      );
    });

    test('fails at synth on more than 16 targets', () => {
      const chart = testChart();
      const allow = new ServiceAllow(chart, 'allow', {
        targets: [details],
        rules: [{ from: [productpage] }],
      });
      for (let index = 0; index < 16; index++) {
        allow.addTarget(ServiceTarget.service('default', `service-${index}`));
      }
      expect(synthError(chart)).toContain(
        '[test/allow] targets has 17 entries; a policy takes at most 16 targetRefs (the CRD ' +
          'refuses more): split the targets over several ServiceAllows',
      );
    });

    test('accepts exactly 16 targets', () => {
      const chart = testChart();
      const allow = new ServiceAllow(chart, 'allow', {
        targets: [details],
        rules: [{ from: [productpage] }],
      });
      for (let index = 0; index < 15; index++) {
        allow.addTarget(ServiceTarget.service('default', `service-${index}`));
      }
      expect(synthValid(chart)[0].spec.targetRefs).toHaveLength(16);
    });

    test('accepts 512 rules, the CRD maximum, and fails at synth on 513', () => {
      const rules = (count: number) =>
        Array.from({ length: count }, (_, index) => ({
          from: [Source.serviceAccount('default', `client-${index}`)],
        }));
      const full = testChart();
      new ServiceAllow(full, 'allow', { targets: [details], rules: rules(512) });
      expect(synthValid(full)[0].spec.rules).toHaveLength(512);

      const over = testChart();
      new ServiceAllow(over, 'allow', { targets: [details], rules: rules(513) });
      expect(synthError(over)).toContain(
        '[test/allow] spec.rules has 513 rules; the CRD allows at most 512, so the API server ' +
          'would refuse the policy: split the rules over several policies',
      );
    });

    test('fails at synth when no rule was added', () => {
      const chart = testChart();
      new ServiceAllow(chart, 'allow', { targets: [details] });
      expect(synthError(chart)).toContain(
        '[test/allow] rules is empty: an ALLOW policy without rules would make its targets deny everything',
      );
    });

    test('fails on an empty operation, which would match every request', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      expect(() => allow.addRule({ from: [productpage], to: [{}] })).toThrow(
        'test/allow: rules[0].to[0] is empty: an empty operation matches every request',
      );
      expect(() => allow.addRule({ from: [productpage], to: [] })).toThrow(
        'test/allow: rules[0].to is []: give at least one operation',
      );
    });

    test('fails on a lower-case method, which Istio would never match', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      expect(() => allow.addRule({ from: [productpage], to: [{ methods: ['get'] }] })).toThrow(
        'test/allow: rules[0].to[0].methods[0] is "get": Istio compares methods exactly, so ' +
          'write it in upper case ("GET")',
      );
    });

    test('fails on a wildcard in the middle of a path or host', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      expect(() =>
        allow.addRule({ from: [productpage], to: [{ paths: ['/api/*/info'] }] }),
      ).toThrow(
        `test/allow: rules[0].to[0].paths[0] has "/api/*/info" with a '*' in the middle or at both ends`,
      );
      expect(() => allow.addRule({ from: [productpage], to: [{ hosts: ['a.*.com'] }] })).toThrow(
        `test/allow: rules[0].to[0].hosts[0] has "a.*.com" with a '*' in the middle or at both ends`,
      );
      expect(() => allow.addRule({ from: [productpage], to: [{ paths: ['details'] }] })).toThrow(
        'test/allow: rules[0].to[0].paths[0] is "details": a path starts with "/"',
      );
    });

    test('fails on a named port and a port out of range in an operation', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      expect(() =>
        allow.addRule({ from: [productpage], to: [{ ports: ['http' as unknown as number] }] }),
      ).toThrow('test/allow: rules[0].to[0].ports[0] has "http", which is not a port number');
      expect(() => allow.addRule({ from: [productpage], to: [{ ports: [0] }] })).toThrow(
        'test/allow: rules[0].to[0].ports[0] has 0, which is outside the port range 1 to 65535',
      );
    });

    test('fails on an operation field written on the rule itself', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      const rule = { from: [productpage], methods: ['GET'] } as unknown as ServiceAllowRule;
      expect(() => allow.addRule(rule)).toThrow(
        'test/allow: rules[0].methods belongs in an operation: write to: [{ methods: [...] }]',
      );
    });

    test('fails on an unknown condition key', () => {
      const allow = new ServiceAllow(testChart(), 'allow', { targets: [details] });
      expect(() =>
        allow.addRule({ from: [productpage], when: [{ key: 'request.header[x]', values: ['a'] }] }),
      ).toThrow(
        'test/allow: rules[0].when[0].key is "request.header[x]", which is not a condition key Istio knows',
      );
      expect(() => allow.addRule({ from: [productpage], when: [{ key: 'source.ip' }] })).toThrow(
        'test/allow: rules[0].when[0] on "source.ip" needs values or notValues',
      );
    });
  });

  describe('checks the final JSON, so escape hatches cannot bring an unsafe form back', () => {
    function patched(...patches: Parameters<ApiObject['addJsonPatch']>): string {
      const chart = testChart();
      const allow = new ServiceAllow(chart, 'allow', {
        targets: [details],
        rules: [{ from: [productpage], to: [{ methods: ['GET'] }] }],
      });
      allow.policy.addJsonPatch(...patches);
      return synthError(chart);
    }

    test('a DENY action', () => {
      expect(patched(JsonPatch.replace('/spec/action', 'DENY'))).toContain(
        '[test/allow] spec.action is "DENY"; only "ALLOW" is allowed here',
      );
    });

    test('a cross-namespace targetRef', () => {
      expect(patched(JsonPatch.add('/spec/targetRefs/0/namespace', 'shop'))).toContain(
        '[test/allow] spec.targetRefs[0].namespace is "shop": Istio does not support ' +
          'cross-namespace targetRefs',
      );
    });

    test('a selector next to targetRefs', () => {
      expect(
        patched(JsonPatch.add('/spec/selector', { matchLabels: { app: 'details' } })),
      ).toContain('[test/allow] spec.selector is set together with targetRefs');
    });

    test('a kind the waypoint does not honour, and a wrong group', () => {
      expect(patched(JsonPatch.replace('/spec/targetRefs/0/kind', 'Deployment'))).toContain(
        '[test/allow] spec.targetRefs[0].kind is "Deployment"; a waypoint honours only Service, ' +
          'ServiceEntry, Gateway, GatewayClass',
      );
      expect(patched(JsonPatch.replace('/spec/targetRefs/0/group', 'apps'))).toContain(
        '[test/allow] spec.targetRefs[0].group is "apps", but kind Service is in group ""',
      );
    });

    test('no targetRefs at all', () => {
      expect(patched(JsonPatch.remove('/spec/targetRefs'))).toContain(
        '[test/allow] spec.targetRefs is empty: a waypoint ignores every policy without targetRefs',
      );
    });

    test('an empty list that would lift a constraint', () => {
      expect(patched(JsonPatch.replace('/spec/rules/0/to/0/operation/methods', []))).toContain(
        '[test/allow] spec.rules[0].to[0].operation.methods is []: an empty or missing list puts ' +
          'no constraint on the request',
      );
    });
  });
});
