import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Source } from '../lib';
import { renderSources } from '../lib/source';

describe('Source', () => {
  test('principal strips spiffe:// (Istio adds it) and keeps prefix/suffix wildcards', () => {
    const source = Source.principal(
      'spiffe://cluster.local/ns/a/sa/b',
      'cluster.local/ns/a/*',
      '*',
    );
    expect(source.field).toBe('principals');
    expect(source.values('ignored')).toEqual([
      'cluster.local/ns/a/sa/b',
      'cluster.local/ns/a/*',
      '*',
    ]);
  });

  test('principal fails on a wildcard in the middle (ztunnel compares it literally)', () => {
    expect(() => Source.principal('cluster.local/ns/*/sa/b')).toThrow(
      `Source.principal[0] has "cluster.local/ns/*/sa/b" with a '*' in the middle or at both ends: ` +
        "Istio matches '*' only as the whole value, a prefix match ('x*') or a suffix match ('*x'); " +
        "ztunnel would compare the '*' literally and the rule would never match",
    );
    expect(() => Source.principal('spiffe://*/ns/a/*')).toThrow(
      `Source.principal[0] has "spiffe://*/ns/a/*" with a '*' in the middle or at both ends`,
    );
  });

  test('principal fails on an empty value, a value with spaces and no value at all', () => {
    expect(() => Source.principal('spiffe://')).toThrow(
      'Source.principal[0] has "spiffe://", which is not a principal: write <trust domain>/ns/<namespace>/sa/<service account>',
    );
    expect(() => Source.principal('cluster.local/ns/a/sa/b ')).toThrow(
      'Source.principal[0] has "cluster.local/ns/a/sa/b ", which is not a principal',
    );
    expect(() => Source.principal()).toThrow(
      'Source.principal was given no value: a source that names nothing would be rendered as an ' +
        'empty match, which matches every source; give at least one',
    );
  });

  test('serviceAccount renders the exact principal in the trust domain of the policy', () => {
    const source = Source.serviceAccount('shop', 'web');
    expect(source.values('cluster.local')).toEqual(['cluster.local/ns/shop/sa/web']);
    expect(source.values('prod.example')).toEqual(['prod.example/ns/shop/sa/web']);
    expect(String(source)).toBe('Source.serviceAccount("shop", "web")');
  });

  test('serviceAccount fails on a bad namespace or name', () => {
    expect(() => Source.serviceAccount('Shop', 'web')).toThrow(
      'Source.serviceAccount namespace "Shop" is not a valid namespace',
    );
    expect(() => Source.serviceAccount('shop', 'web*')).toThrow(
      'Source.serviceAccount name "web*" is not a valid Kubernetes name',
    );
  });

  test('namespace takes exact namespaces only (no wildcard)', () => {
    expect(Source.namespace('a', 'b').values('x')).toEqual(['a', 'b']);
    expect(() => Source.namespace('team-*')).toThrow(
      'Source.namespace[0] "team-*" is not a valid namespace',
    );
    expect(() => Source.namespace()).toThrow('Source.namespace was given no value');
  });

  test('ipBlocks reuses the CIDR checks and refuses an empty list', () => {
    expect(Source.ipBlocks('10.0.0.0/8, 192.0.2.1').values('x')).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
    ]);
    expect(() => Source.ipBlocks([])).toThrow('Source.ipBlocks [] holds no address');
    expect(() => Source.ipBlocks(['10.1.2.3/8'])).toThrow(
      'Source.ipBlocks has "10.1.2.3/8", which has bits set after its /8 prefix',
    );
  });

  test('ingressGateway is <gateway>-istio for class istio; other classes need the account', () => {
    expect(Source.ingressGateway('default', 'bookinfo-gateway').values('cluster.local')).toEqual([
      'cluster.local/ns/default/sa/bookinfo-gateway-istio',
    ]);
    expect(
      Source.ingressGateway('edge', 'public', {
        gatewayClass: 'other',
        serviceAccount: 'public-sa',
      }).values('td'),
    ).toEqual(['td/ns/edge/sa/public-sa']);
    expect(() => Source.ingressGateway('edge', 'public', { gatewayClass: 'other' })).toThrow(
      'Source.ingressGateway serviceAccount is required for gateway class "other": only class ' +
        '"istio" has a known service account name (<gateway>-istio)',
    );
  });

  test('waypoint is the service account named after the waypoint', () => {
    expect(Source.waypoint('default', 'waypoint').values('cluster.local')).toEqual([
      'cluster.local/ns/default/sa/waypoint',
    ]);
    expect(Source.waypoint('default', 'waypoint', 'wp-sa').values('td')).toEqual([
      'td/ns/default/sa/wp-sa',
    ]);
  });

  test('HTTP-only sources say so', () => {
    expect(Source.requestPrincipal('iss/sub').httpOnly).toBe(true);
    expect(Source.remoteIpBlocks('10.0.0.0/8').httpOnly).toBe(true);
    expect(Source.principal('*').httpOnly).toBe(false);
    expect(() => Source.requestPrincipal('')).toThrow(
      'Source.requestPrincipal[0] must be a non-empty "<iss>/<sub>", got ""',
    );
    expect(() => Source.trustDomain('a/b')).toThrow(
      'Source.trustDomain[0] must be a trust domain such as "cluster.local", got "a/b"',
    );
  });

  describe('cdk8s-plus', () => {
    test('fromServiceAccount takes the name and namespace of a created or imported account', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const created = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'web' } });
      const imported = kplus.ServiceAccount.fromServiceAccountName(chart, 'imp', 'api', {
        namespaceName: 'backend',
      });
      expect(Source.fromServiceAccount(created).values('cluster.local')).toEqual([
        'cluster.local/ns/shop/sa/web',
      ]);
      expect(Source.fromServiceAccount(imported).values('cluster.local')).toEqual([
        'cluster.local/ns/backend/sa/api',
      ]);
    });

    test('fromServiceAccount fails on an account without namespace', () => {
      const chart = new Chart(Testing.app(), 'c');
      const account = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'web' } });
      expect(() => Source.fromServiceAccount(account)).toThrow(
        'Source.fromServiceAccount(c/sa) has no namespace, so its principal is unknown: set ' +
          'metadata.namespace on "web"',
      );
    });

    test('fromWorkload takes the service account of the pods', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const account = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'web' } });
      const web = new kplus.Deployment(chart, 'web', {
        serviceAccount: account,
        containers: [{ image: 'w' }],
      });
      expect(Source.fromWorkload(web).values('cluster.local')).toEqual([
        'cluster.local/ns/shop/sa/web',
      ]);
    });

    test('fromWorkload fails on a workload without service account (never an empty source)', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const web = new kplus.Deployment(chart, 'web', {
        metadata: { name: 'web' },
        containers: [{ image: 'w' }],
      });
      expect(() => Source.fromWorkload(web)).toThrow(
        'Source.fromWorkload(c/web) has no service account, so it has no identity of its own: ' +
          `give "web" a serviceAccount; its pods would otherwise run as 'default', shared by every such pod`,
      );
    });

    test('fromWorkload fails on a workload without namespace', () => {
      const chart = new Chart(Testing.app(), 'c');
      const account = new kplus.ServiceAccount(chart, 'sa');
      const web = new kplus.Deployment(chart, 'web', {
        metadata: { name: 'web' },
        serviceAccount: account,
        containers: [{ image: 'w' }],
      });
      expect(() => Source.fromWorkload(web)).toThrow(
        'Source.fromWorkload(c/web) has no namespace, so its principal is unknown',
      );
    });

    test('fromWorkload fails on a service account of another namespace', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'api', {
        namespaceName: 'other',
      });
      const web = new kplus.Deployment(chart, 'web', {
        serviceAccount: account,
        containers: [{ image: 'w' }],
      });
      expect(() => Source.fromWorkload(web)).toThrow(
        'Source.fromWorkload(c/web) runs as service account "api" of namespace "other", but pods ' +
          'can only use a service account of their own namespace "shop"',
      );
    });
  });
});

describe('renderSources', () => {
  test('one from entry per field, in a fixed order, values kept once', () => {
    expect(
      renderSources(
        [
          Source.ipBlocks('10.0.0.0/8'),
          Source.namespace('b'),
          Source.principal('x'),
          Source.namespace('a', 'b'),
          Source.trustDomain('td'),
        ],
        'cluster.local',
      ),
    ).toEqual([
      { source: { principals: ['x'] } },
      { source: { namespaces: ['b', 'a'] } },
      { source: { ipBlocks: ['10.0.0.0/8'] } },
      { source: { trustDomains: ['td'] } },
    ]);
  });
});
