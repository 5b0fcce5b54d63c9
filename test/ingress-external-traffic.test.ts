import { Testing } from 'cdk8s';
import { IngressExternalTraffic, IngressExternalTrafficProps, ZtunnelAllowNothing } from '../lib';
import { synthValid, testChart } from './support/synth';

describe('IngressExternalTraffic', () => {
  test('defaults to an ALLOW from 0.0.0.0/0 to the istio-ingress-k8s Gateway', () => {
    const chart = testChart();
    new IngressExternalTraffic(chart, 'ingress');

    expect(synthValid(chart)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'istio-ingress-k8s-istio-system-external-traffic',
          namespace: 'istio-system',
          // An ALLOW: applied before the allow-nothing policies (wave 1), pruned after them.
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        spec: {
          action: 'ALLOW',
          targetRefs: [
            { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'istio-ingress-k8s' },
          ],
          rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }],
        },
      },
    ]);
  });

  test('names the policy <app>-<namespace>-external-traffic and targets the given Gateway', () => {
    const chart = testChart();
    const ingress = new IngressExternalTraffic(chart, 'ingress', {
      app: 'public-ingress',
      namespace: 'edge',
      gateway: 'public',
    });
    const [policy] = synthValid(chart);
    expect(policy.metadata).toEqual({
      name: 'public-ingress-edge-external-traffic',
      namespace: 'edge',
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    });
    expect(policy.spec.targetRefs).toEqual([
      { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'public' },
    ]);
    expect(ingress.gateway).toBe('public');
  });

  test('takes the Gateway name from app when gateway is not given', () => {
    const chart = testChart();
    new IngressExternalTraffic(chart, 'ingress', { app: 'public-ingress' });
    expect(synthValid(chart)[0].spec.targetRefs[0].name).toBe('public-ingress');
  });

  test('takes the charm-style comma-separated CIDR string, trimming blanks', () => {
    const chart = testChart();
    const ingress = new IngressExternalTraffic(chart, 'ingress', {
      externalTrafficCidrs: ' 10.0.0.0/8 , 192.168.1.7,2001:db8::/32, ',
    });
    expect(ingress.ipBlocks).toEqual(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(synthValid(chart)[0].spec.rules).toEqual([
      { from: [{ source: { ipBlocks: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'] } }] },
    ]);
  });

  test('takes a list of CIDRs', () => {
    const chart = testChart();
    new IngressExternalTraffic(chart, 'ingress', { externalTrafficCidrs: ['0.0.0.0/0', '::/0'] });
    expect(synthValid(chart)[0].spec.rules[0].from[0].source.ipBlocks).toEqual([
      '0.0.0.0/0',
      '::/0',
    ]);
  });

  test('fails on an empty list, which as ipBlocks: [] would match every source', () => {
    expect(
      () => new IngressExternalTraffic(testChart(), 'ingress', { externalTrafficCidrs: [] }),
    ).toThrow(
      'test/ingress: externalTrafficCidrs [] holds no address: give at least one; ' +
        'an empty ipBlocks list would match every source',
    );
  });

  test('fails on a string holding only commas and blanks', () => {
    expect(
      () => new IngressExternalTraffic(testChart(), 'ingress', { externalTrafficCidrs: ' , ' }),
    ).toThrow('test/ingress: externalTrafficCidrs " , " holds no address');
  });

  test('fails on an invalid CIDR, quoting it', () => {
    expect(
      () =>
        new IngressExternalTraffic(testChart(), 'ingress', {
          externalTrafficCidrs: '10.0.0.0/8,10.0.0.256',
        }),
    ).toThrow(
      'test/ingress: externalTrafficCidrs has "10.0.0.256", which is not an IPv4 or IPv6 address',
    );
  });

  test('fails on an invalid namespace', () => {
    expect(() => new IngressExternalTraffic(testChart(), 'ingress', { namespace: 'Edge' })).toThrow(
      'test/ingress: namespace "Edge" is not a valid namespace',
    );
  });

  test('fails on an invalid Gateway name', () => {
    expect(
      () => new IngressExternalTraffic(testChart(), 'ingress', { gateway: 'my_gateway' }),
    ).toThrow('test/ingress: gateway "my_gateway" is not a valid Kubernetes name');
  });

  test('fails on an invalid app, naming app even though it is also the default Gateway name', () => {
    expect(() => new IngressExternalTraffic(testChart(), 'ingress', { app: 'Ingress' })).toThrow(
      'test/ingress: app "Ingress" is not a valid Kubernetes name',
    );
  });

  test('fails on an app that makes the policy name longer than 253 characters', () => {
    expect(
      () =>
        new IngressExternalTraffic(testChart(), 'ingress', { app: 'a'.repeat(230), gateway: 'gw' }),
    ).toThrow(
      /test\/ingress: app makes the name "a+-istio-system-external-traffic" 260 characters long/,
    );
  });

  test('fails on a null externalTrafficCidrs instead of taking the 0.0.0.0/0 default', () => {
    const props = { externalTrafficCidrs: null } as unknown as IngressExternalTrafficProps;
    expect(() => new IngressExternalTraffic(testChart(), 'ingress', props)).toThrow(
      'test/ingress: externalTrafficCidrs must be a list of CIDRs or a comma-separated string, got null',
    );
  });

  test('fails on an unknown prop, such as a misspelt externalTrafficCidrs', () => {
    const props = { externalTrafficCIDRs: '10.0.0.0/8' } as unknown as IngressExternalTrafficProps;
    expect(() => new IngressExternalTraffic(testChart(), 'ingress', props)).toThrow(
      'test/ingress: props has the unknown prop "externalTrafficCIDRs"; allowed: app, namespace, gateway, externalTrafficCidrs',
    );
  });

  test('exposes ipBlocks read-only, so the policy cannot drift from what it reports', () => {
    const ingress = new IngressExternalTraffic(testChart(), 'ingress');
    expect(() => (ingress.ipBlocks as string[]).push('10.0.0.0/8')).toThrow(TypeError);
  });

  describe('enrolledInAmbient', () => {
    test('also emits the L4 ALLOW on the gateway pods for ztunnel, with the same ipBlocks', () => {
      const chart = testChart();
      const ingress = new IngressExternalTraffic(chart, 'ingress', {
        app: 'bookinfo',
        namespace: 'default',
        gateway: 'bookinfo-gateway',
        externalTrafficCidrs: ['0.0.0.0/0', '::/0'],
        enrolledInAmbient: true,
      });
      const objects = synthValid(chart);
      expect(objects).toMatchSnapshot();
      expect(objects[1]).toEqual({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'bookinfo-default-external-traffic-ztunnel',
          namespace: 'default',
          annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
        },
        // Reference §2: the gateway's pods in an ambient namespace are captured by ztunnel, and a
        // selector policy also lands on the gateway's Envoy, so the rule is plain L4.
        spec: {
          action: 'ALLOW',
          selector: {
            matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' },
          },
          rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0', '::/0'] } }] }],
        },
      });
      expect(ingress.ztunnelAllow?.name).toBe('bookinfo-default-external-traffic-ztunnel');
    });

    test('is off by default: a gateway in a namespace that is not enrolled sees only its Envoy policy', () => {
      const chart = testChart();
      const ingress = new IngressExternalTraffic(chart, 'ingress');
      expect(synthValid(chart)).toHaveLength(1);
      expect(ingress.ztunnelAllow).toBeUndefined();
    });

    test('takes the sync wave for both policies, or none', () => {
      const chart = testChart();
      new IngressExternalTraffic(chart, 'ingress', {
        namespace: 'edge',
        enrolledInAmbient: true,
        syncWave: false,
      });
      for (const policy of synthValid(chart)) {
        expect(policy.metadata.annotations).toBeUndefined();
      }
    });

    test('fails on a value that is not a boolean', () => {
      expect(
        () =>
          new IngressExternalTraffic(testChart(), 'ingress', {
            enrolledInAmbient: 'yes' as unknown as boolean,
          }),
      ).toThrow('test/ingress: enrolledInAmbient must be true or false, got "yes"');
    });

    // Reference section 2: a selector policy in the root namespace reaches matching pods in every
    // namespace, so the gateway's internet-facing ALLOW would too.
    test('fails for a gateway in the root namespace', () => {
      expect(
        () => new IngressExternalTraffic(testChart(), 'ingress', { enrolledInAmbient: true }),
      ).toThrow(
        'test/ingress: enrolledInAmbient is true, but namespace "istio-system" is Istio\'s root namespace',
      );
    });

    test('fails at synth for a gateway in the root namespace the mesh declares', () => {
      const chart = testChart();
      new ZtunnelAllowNothing(chart, 'lockdown', { rootNamespace: 'mesh-root' });
      new IngressExternalTraffic(chart, 'ingress', {
        namespace: 'mesh-root',
        enrolledInAmbient: true,
      });
      expect(() => Testing.synth(chart)).toThrow(
        '[test/ingress/ztunnel] metadata.namespace "mesh-root" is the root namespace, where Istio ' +
          'applies a selector to the matching pods of every namespace',
      );
    });
  });
});
