import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  HardenedMesh,
  ServiceAllow,
  ServiceTarget,
  Source,
  WorkloadAllow,
  WorkloadAllowProps,
  WorkloadAllowRule,
  WorkloadTarget,
} from '../lib';
import { policiesOf, synthError, synthMixed } from './support/policies';
import { synthValid, testChart } from './support/synth';

const productpage = WorkloadTarget.selector('default', { app: 'productpage' });
const gateway = Source.ingressGateway('default', 'bookinfo-gateway');

describe('WorkloadAllow', () => {
  test('renders a selector ALLOW with L4 sources and ports as strings (snapshot)', () => {
    const chart = testChart();
    const allow = new WorkloadAllow(chart, 'gateway-to-productpage', {
      name: 'gateway-to-productpage',
      target: productpage,
      rules: [{ from: [gateway], ports: [9080] }],
    });
    const objects = synthValid(chart);
    expect(objects).toMatchSnapshot();
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'gateway-to-productpage',
          namespace: 'default',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: {
          action: 'ALLOW',
          selector: { matchLabels: { app: 'productpage' } },
          rules: [
            {
              from: [
                { source: { principals: ['cluster.local/ns/default/sa/bookinfo-gateway-istio'] } },
              ],
              to: [{ operation: { ports: ['9080'] } }],
            },
          ],
        },
      },
    ]);
    expect(allow.name).toBe('gateway-to-productpage');
    expect(allow.namespace).toBe('default');
  });

  test('merges sources of one kind into one from entry and keeps kinds apart (OR, never AND)', () => {
    const chart = testChart();
    new WorkloadAllow(chart, 'allow', {
      target: productpage,
      rules: [
        {
          from: [
            Source.serviceAccount('shop', 'web'),
            Source.namespace('monitoring'),
            Source.principal('spiffe://cluster.local/ns/shop/sa/api'),
            Source.ipBlocks(['10.0.0.0/8']),
            Source.serviceAccount('shop', 'web'),
          ],
        },
      ],
    });
    expect(synthValid(chart)[0].spec.rules).toEqual([
      {
        from: [
          {
            source: {
              principals: ['cluster.local/ns/shop/sa/web', 'cluster.local/ns/shop/sa/api'],
            },
          },
          { source: { namespaces: ['monitoring'] } },
          { source: { ipBlocks: ['10.0.0.0/8'] } },
        ],
      },
    ]);
  });

  test('writes service accounts with the configured trust domain', () => {
    const chart = testChart();
    new WorkloadAllow(chart, 'allow', {
      target: productpage,
      trustDomain: 'prod.example.com',
      rules: [{ from: [gateway] }],
    });
    expect(synthValid(chart)[0].spec.rules[0].from[0].source.principals).toEqual([
      'prod.example.com/ns/default/sa/bookinfo-gateway-istio',
    ]);
  });

  test('renders a namespace-wide ALLOW without selector', () => {
    const chart = testChart();
    new WorkloadAllow(chart, 'allow', {
      target: WorkloadTarget.namespace('shop'),
      rules: [{ from: [Source.namespace('shop')] }],
    });
    const [policy] = synthValid(chart);
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
    });
  });

  test('takes rules added after construction, up to synth (lazy spec)', () => {
    const chart = testChart();
    const allow = new WorkloadAllow(chart, 'allow', { target: productpage });
    allow.addRule({ from: [gateway], ports: [9080] });
    allow.addRule({
      from: [Source.ipBlocks('10.1.0.0/16')],
      ports: [15020, 9080, 9080],
      when: [{ key: 'destination.port', values: ['9080'] }],
    });
    expect(synthValid(chart)[0].spec.rules).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-gateway-istio'] } }],
        to: [{ operation: { ports: ['9080'] } }],
      },
      {
        from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }],
        to: [{ operation: { ports: ['15020', '9080'] } }],
        when: [{ key: 'destination.port', values: ['9080'] }],
      },
    ]);
  });

  test('generates a unique name from the construct path when none is given', () => {
    const chart = testChart();
    const a = new WorkloadAllow(chart, 'a', { target: productpage, rules: [{ from: [gateway] }] });
    const b = new WorkloadAllow(chart, 'b', { target: productpage, rules: [{ from: [gateway] }] });
    expect(a.name).not.toEqual(b.name);
    expect(synthValid(chart).map((policy) => policy.metadata.name)).toEqual([a.name, b.name]);
  });

  test('takes a sync wave, or none', () => {
    const chart = testChart();
    new WorkloadAllow(chart, 'a', {
      target: productpage,
      syncWave: -5,
      rules: [{ from: [gateway] }],
    });
    new WorkloadAllow(chart, 'b', {
      target: productpage,
      syncWave: false,
      rules: [{ from: [gateway] }],
    });
    const [a, b] = synthValid(chart);
    expect(a.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-5' });
    expect(b.metadata.annotations).toBeUndefined();
  });

  describe('cdk8s-plus', () => {
    test('targets a Deployment by its matchLabels and allows a workload by its service account', () => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const apiAccount = new kplus.ServiceAccount(chart, 'api-sa', { metadata: { name: 'api' } });
      const api = new kplus.Deployment(chart, 'api', {
        serviceAccount: apiAccount,
        containers: [{ image: 'api', portNumber: 8080 }],
      });
      const webAccount = new kplus.ServiceAccount(chart, 'web-sa', { metadata: { name: 'web' } });
      const web = new kplus.Deployment(chart, 'web', {
        serviceAccount: webAccount,
        containers: [{ image: 'web', portNumber: 8080 }],
      });
      const allow = new WorkloadAllow(chart, 'web-to-api', {
        target: WorkloadTarget.fromDeployment(api),
        rules: [
          {
            from: [Source.fromWorkload(web), Source.fromServiceAccount(apiAccount)],
            ports: [8080],
          },
        ],
      });
      // Labels selected after the policy was declared are part of the selector too.
      api.podMetadata.addLabel('tier', 'backend');
      api.select(kplus.LabelSelector.of({ labels: { tier: 'backend' } }));

      const objects = synthMixed(chart);
      const [policy] = policiesOf(objects);
      expect(policiesOf(objects)).toHaveLength(1);
      expect(policy.metadata.namespace).toBe('shop');
      expect(policy.spec.selector).toEqual({ matchLabels: { ...api.matchLabels } });
      expect(policy.spec.selector.matchLabels.tier).toBe('backend');
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === api.name,
      )!;
      expect(policy.spec.selector).toEqual(deployment.spec.selector);
      expect(deployment.spec.template.metadata.labels).toEqual(
        expect.objectContaining(policy.spec.selector.matchLabels),
      );
      expect(policy.spec.rules[0].from).toEqual([
        {
          source: { principals: ['cluster.local/ns/shop/sa/web', 'cluster.local/ns/shop/sa/api'] },
        },
      ]);
      expect(allow.namespace).toBe('shop');
    });

    test('fails at synth on a Deployment that selects nothing by label', () => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const api = new kplus.Deployment(chart, 'api', {
        select: false,
        containers: [{ image: 'api' }],
      });
      new WorkloadAllow(chart, 'allow', {
        target: WorkloadTarget.fromDeployment(api),
        rules: [{ from: [gateway] }],
      });
      expect(synthError(chart)).toContain(
        '[shop/allow] target WorkloadTarget.fromDeployment(shop/api) matchLabels is empty: ' +
          'an empty selector selects nothing at ztunnel',
      );
    });

    test('fails at synth on a Deployment that selects with match expressions', () => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const api = new kplus.Deployment(chart, 'api', { containers: [{ image: 'api' }] });
      api.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.exists('tier')] }));
      new WorkloadAllow(chart, 'allow', {
        target: WorkloadTarget.fromDeployment(api),
        rules: [{ from: [gateway] }],
      });
      expect(synthError(chart)).toContain(
        '[shop/allow] target WorkloadTarget.fromDeployment(shop/api) selects its pods with match ' +
          'expressions [{"key":"tier","operator":"Exists"}], which a policy selector cannot express',
      );
    });
  });

  describe('refuses what ztunnel would silently turn into something else', () => {
    // Reference section 3: an ALLOW rule with any HTTP attribute is dropped whole at ztunnel.
    test.each(['methods', 'paths', 'hosts', 'notMethods'])(
      'fails on the HTTP-only operation field %s in a rule',
      (field) => {
        const rule = { from: [gateway], [field]: ['GET'] } as unknown as WorkloadAllowRule;
        expect(
          () => new WorkloadAllow(testChart(), 'allow', { target: productpage, rules: [rule] }),
        ).toThrow(
          `test/allow: rules[0].${field} is an HTTP-only field, but this policy is enforced by ` +
            'ztunnel, which drops every ALLOW rule that uses one, so the workload would deny this ' +
            'traffic instead of allowing it; use a ServiceAllow (enforced by the waypoint) for HTTP fields',
        );
      },
    );

    test('fails on a request principal source (JWT, HTTP-only)', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() =>
        allow.addRule({ from: [gateway, Source.requestPrincipal('issuer/sub')] }),
      ).toThrow(
        'test/allow: rules[0].from[1] Source.requestPrincipal("issuer/sub") (requestPrincipals) ' +
          'is an HTTP-only field, but this policy is enforced by ztunnel',
      );
    });

    test('fails on a remote IP blocks source (X-Forwarded-For, HTTP-only)', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() => allow.addRule({ from: [Source.remoteIpBlocks('192.0.2.0/24')] })).toThrow(
        'test/allow: rules[0].from[0] Source.remoteIpBlocks("192.0.2.0/24") (remoteIpBlocks) ' +
          'is an HTTP-only field',
      );
    });

    test('fails on a condition key ztunnel does not evaluate', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() =>
        allow.addRule({
          from: [gateway],
          when: [{ key: 'request.headers[x-tenant]', values: ['a'] }],
        }),
      ).toThrow(
        'test/allow: rules[0].when[0].key is "request.headers[x-tenant]", an HTTP attribute: this ' +
          'policy is enforced by ztunnel, which drops every ALLOW rule with such a condition, so ' +
          'the workload would deny this traffic; ztunnel evaluates only source.ip, ' +
          'source.namespace, source.principal, destination.ip, destination.port',
      );
    });

    test('fails on trust domains, which ztunnel silently ignores', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() => allow.addRule({ from: [Source.trustDomain('partner.example')] })).toThrow(
        'test/allow: rules[0].from[0] Source.trustDomain("partner.example") (trustDomains) is ' +
          'ignored by ztunnel (istiod does not send it), so the rule would lose this constraint; ' +
          'name the identities with exact principals instead',
      );
    });

    test('fails on a rule without sources, which would allow every source', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() => allow.addRule({ from: [] })).toThrow(
        'test/allow: rules[0].from is []: a rule needs at least one source, because a rule ' +
          'without sources would allow every source',
      );
    });

    test('fails on a raw string given as a source', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() =>
        allow.addRule({ from: ['cluster.local/ns/a/sa/b'] as unknown as Source[] }),
      ).toThrow(
        'test/allow: rules[0].from[0] is "cluster.local/ns/a/sa/b"; build sources with the ' +
          'Source factories',
      );
    });

    test('fails on a named port and on a port out of range', () => {
      const allow = new WorkloadAllow(testChart(), 'allow', { target: productpage });
      expect(() =>
        allow.addRule({ from: [gateway], ports: ['http' as unknown as number] }),
      ).toThrow(
        'test/allow: rules[0].ports[0] has "http", which is not a port number: give a whole ' +
          'number from 1 to 65535; named ports are not supported',
      );
      expect(() => allow.addRule({ from: [gateway], ports: [65536] })).toThrow(
        'test/allow: rules[0].ports[0] has 65536, which is outside the port range 1 to 65535',
      );
      expect(() => allow.addRule({ from: [gateway], ports: [] })).toThrow(
        'test/allow: rules[0].ports is an empty list, which would match every port',
      );
    });

    test('fails on a namespace-wide target in the root namespace (the whole mesh)', () => {
      expect(
        () =>
          new WorkloadAllow(testChart(), 'allow', {
            target: WorkloadTarget.namespace('istio-system'),
            rules: [{ from: [gateway] }],
          }),
      ).toThrow(
        'test/allow: target WorkloadTarget.namespace("istio-system") is the root namespace ' +
          '"istio-system", where a policy without selector applies to every workload of the mesh',
      );
    });

    test('fails on a target not built with the factories', () => {
      expect(
        () =>
          new WorkloadAllow(testChart(), 'allow', {
            target: { namespace: 'default' } as unknown as WorkloadTarget,
          }),
      ).toThrow(
        'test/allow: target is {"namespace":"default"}; build it with WorkloadTarget.selector()',
      );
    });

    test('fails at synth on two policies with the same name and namespace in the app', () => {
      const app = Testing.app();
      const one = new Chart(app, 'one');
      const two = new Chart(app, 'two');
      new WorkloadAllow(one, 'a', {
        name: 'same',
        target: productpage,
        rules: [{ from: [gateway] }],
      });
      new ServiceAllow(two, 'b', {
        name: 'same',
        targets: [ServiceTarget.service('default', 'productpage')],
        rules: [{ from: [gateway] }],
      });
      expect(synthError(one)).toContain(
        'one/a/Resource and two/b/Resource both define AuthorizationPolicy default/same: applied ' +
          'to a cluster, one would replace the other',
      );
    });

    test('fails on a null prop instead of taking its default', () => {
      const props = { target: productpage, trustDomain: null } as unknown as WorkloadAllowProps;
      expect(() => new WorkloadAllow(testChart(), 'allow', props)).toThrow(
        "test/allow: trustDomain null is not a trust domain: use lowercase letters, digits, '.', " +
          "'-' and '_', such as 'cluster.local'",
      );
    });

    test('fails on a misspelt prop instead of ignoring it (plain JavaScript callers)', () => {
      const props = { target: productpage, rule: [] } as unknown as WorkloadAllowProps;
      expect(() => new WorkloadAllow(testChart(), 'allow', props)).toThrow(
        'test/allow: props has the unknown prop "rule"; allowed: target, rules, name, trustDomain, ' +
          'rootNamespace, everyNamespace, syncWave',
      );
    });

    // Reference section 2: in the root namespace a selector policy reaches matching pods in every
    // namespace, and one without selector every workload of the mesh.
    test('fails on a selector in the root namespace unless everyNamespace says so', () => {
      const chart = testChart();
      new WorkloadAllow(chart, 'allow', {
        target: WorkloadTarget.selector('istio-system', { app: 'web' }),
        rules: [{ from: [Source.serviceAccount('shop', 'web')], ports: [80] }],
      });
      expect(() => Testing.synth(chart)).toThrow(
        '[test/allow] metadata.namespace "istio-system" is the root namespace, where Istio applies ' +
          'a selector to the matching pods of every namespace: put the policy in the namespace of ' +
          'its pods, or set everyNamespace: true if every namespace is what you mean',
      );

      const optedIn = testChart();
      new WorkloadAllow(optedIn, 'allow', {
        target: WorkloadTarget.selector('istio-system', { app: 'web' }),
        rules: [{ from: [Source.serviceAccount('shop', 'web')], ports: [80] }],
        everyNamespace: true,
      });
      expect(synthValid(optedIn)[0].spec.selector).toEqual({ matchLabels: { app: 'web' } });
    });

    test('knows the root namespace of a HardenedMesh elsewhere in the app', () => {
      const app = Testing.app();
      new HardenedMesh(app, 'mesh', { rootNamespace: 'mesh-root' });
      new WorkloadAllow(new Chart(app, 'platform'), 'allow', {
        target: WorkloadTarget.namespace('mesh-root'),
        rules: [{ from: [Source.serviceAccount('shop', 'web')] }],
      });
      expect(() => app.synthYaml()).toThrow(
        '[platform/allow] metadata.namespace "mesh-root" is the root namespace and the policy has ' +
          'no selector: it would open every workload of the mesh',
      );
    });

    test('fails at synth when a patch removes the selector in the root namespace', () => {
      const chart = testChart();
      const allow = new WorkloadAllow(chart, 'allow', {
        target: WorkloadTarget.selector('shop', { app: 'web' }),
        rules: [{ from: [Source.serviceAccount('shop', 'web')] }],
      });
      allow.policy.addJsonPatch(
        JsonPatch.remove('/spec/selector'),
        JsonPatch.replace('/metadata/namespace', 'istio-system'),
      );
      expect(() => Testing.synth(chart)).toThrow('it would open every workload of the mesh');
    });

    test('fails at synth, with a message, when a patch gives a field the wrong type', () => {
      const chart = testChart();
      const allow = new WorkloadAllow(chart, 'allow', {
        target: WorkloadTarget.selector('shop', { app: 'web' }),
        rules: [{ from: [Source.serviceAccount('shop', 'web')], ports: [80] }],
      });
      allow.policy.addJsonPatch(JsonPatch.replace('/spec/rules/0/to', {}));
      expect(() => Testing.synth(chart)).toThrow(
        /\[test\/allow\] cannot be rendered \(.*\); a patch probably gave a field the wrong type/,
      );
    });

    test('fails on a sparse list of sources with a message, not a TypeError', () => {
      const from: Source[] = [];
      from[2] = Source.serviceAccount('shop', 'web');
      expect(
        () =>
          new WorkloadAllow(testChart(), 'allow', {
            target: WorkloadTarget.selector('shop', { app: 'web' }),
            rules: [{ from }],
          }),
      ).toThrow(
        'test/allow: rules[0].from[0] is undefined; build sources with the Source factories',
      );
    });

    test('accepts 512 rules, the CRD maximum, and fails at synth on 513 (added one by one)', () => {
      const fill = (allow: WorkloadAllow, count: number) => {
        for (let index = 0; index < count; index++) {
          allow.addRule({ from: [Source.serviceAccount('default', `client-${index}`)] });
        }
      };
      const full = testChart();
      fill(new WorkloadAllow(full, 'allow', { target: productpage }), 512);
      expect(synthValid(full)[0].spec.rules).toHaveLength(512);

      const over = testChart();
      fill(new WorkloadAllow(over, 'allow', { target: productpage }), 513);
      expect(synthError(over)).toContain(
        '[test/allow] spec.rules has 513 rules; the CRD allows at most 512, so the API server ' +
          'would refuse the policy: split the rules over several policies',
      );
    });

    test('fails at synth when no rule was added (it would make the target deny everything)', () => {
      const chart = testChart();
      new WorkloadAllow(chart, 'allow', { target: productpage });
      expect(synthError(chart)).toContain(
        '[test/allow] rules is empty: an ALLOW policy without rules would make its target deny ' +
          'everything',
      );
    });
  });

  describe('checks the final JSON, so escape hatches cannot bring an unsafe form back', () => {
    function patched(...patches: Parameters<ApiObject['addJsonPatch']>): string {
      const chart = testChart();
      const allow = new WorkloadAllow(chart, 'allow', {
        target: productpage,
        rules: [{ from: [gateway], ports: [9080] }],
      });
      allow.policy.addJsonPatch(...patches);
      return synthError(chart);
    }

    test('a DENY action, which as a baseline could never be opened again', () => {
      expect(patched(JsonPatch.replace('/spec/action', 'DENY'))).toContain(
        '[test/allow] spec.action is "DENY"; only "ALLOW" is allowed here: a DENY policy wins ' +
          'over every ALLOW, so a DENY used as a baseline can never be opened again',
      );
    });

    test('an HTTP method patched into a ztunnel rule', () => {
      expect(patched(JsonPatch.add('/spec/rules/0/to/0/operation/methods', ['GET']))).toContain(
        '[test/allow] spec.rules[0].to[0].operation.methods ["GET"] is an HTTP-only field, but ' +
          'this policy is enforced by ztunnel',
      );
    });

    test('targetRefs next to the selector', () => {
      const message = patched(
        JsonPatch.add('/spec/targetRefs', [{ group: '', kind: 'Service', name: 'productpage' }]),
      );
      expect(message).toContain(
        '[test/allow] spec.selector is set together with targetRefs: the API server refuses a ' +
          'policy with both',
      );
      expect(message).toContain(
        '[test/allow] spec.targetRefs is set on a policy meant for ztunnel: istiod never sends a ' +
          'policy with targetRefs to ztunnel',
      );
    });

    test('an empty selector', () => {
      expect(patched(JsonPatch.replace('/spec/selector', {}))).toContain(
        '[test/allow] spec.selector is {}, an empty selector: ztunnel attaches it to nothing and ' +
          'a sidecar applies it to the whole namespace; give at least one label',
      );
    });

    test('serviceAccounts mixed with principals', () => {
      expect(
        patched(JsonPatch.add('/spec/rules/0/from/0/source/serviceAccounts', ['default/x'])),
      ).toContain(
        '[test/allow] spec.rules[0].from[0].source.serviceAccounts is set together with ' +
          'principals: the API server refuses this mix',
      );
    });

    test('trust domains, a middle wildcard and spiffe:// in a principal', () => {
      const message = patched(
        JsonPatch.replace('/spec/rules/0/from/0/source', {
          principals: ['spiffe://cluster.local/ns/a/sa/b', 'cluster.local/ns/*/sa/b'],
          trustDomains: ['cluster.local'],
        }),
      );
      expect(message).toContain(
        '[test/allow] spec.rules[0].from[0].source.principals[0] is ' +
          '"spiffe://cluster.local/ns/a/sa/b": Istio adds "spiffe://" itself, so this would ' +
          'never match; write "cluster.local/ns/a/sa/b"',
      );
      expect(message).toContain(
        '[test/allow] spec.rules[0].from[0].source.principals[1] has "cluster.local/ns/*/sa/b" ' +
          "with a '*' in the middle or at both ends",
      );
      expect(message).toContain(
        '[test/allow] spec.rules[0].from[0].source.trustDomains ["cluster.local"] is ignored by ztunnel',
      );
    });

    test('an empty source list, an empty source and a port that is not a string', () => {
      expect(patched(JsonPatch.replace('/spec/rules/0/from', []))).toContain(
        '[test/allow] spec.rules[0].from is []: a rule without sources allows every source',
      );
      expect(patched(JsonPatch.replace('/spec/rules/0/from/0/source', {}))).toContain(
        '[test/allow] spec.rules[0].from[0].source is {}: an empty source matches every source',
      );
      expect(patched(JsonPatch.replace('/spec/rules/0/to/0/operation/ports', [9080]))).toContain(
        '[test/allow] spec.rules[0].to[0].operation.ports[0] is 9080, but the schema requires a ' +
          'string such as "8080"',
      );
    });
  });
});
