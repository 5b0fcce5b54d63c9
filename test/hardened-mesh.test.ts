import { Testing } from 'cdk8s';
import { HardenedMesh, HardenedMeshProps, HardenedMeshWaypointProps, WorkloadTarget } from '../lib';
import { synthValid } from './support/synth';

describe('HardenedMesh', () => {
  test('by default holds exactly the two allow-nothing policies and the ingress policy', () => {
    const objects = synthValid(new HardenedMesh(Testing.app(), 'hardened-mesh'));
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'AuthorizationPolicy istio-system/istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
      'AuthorizationPolicy istio-system/istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
      'AuthorizationPolicy istio-system/istio-ingress-k8s-istio-system-external-traffic',
    ]);
    expect(objects[0].spec).toEqual({});
    expect(objects[1].spec).toEqual({
      targetRefs: [
        { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
      ],
    });
    expect(objects[2].spec).toEqual({
      action: 'ALLOW',
      targetRefs: [
        { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'istio-ingress-k8s' },
      ],
      rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }],
    });
  });

  test('passes every prop on to the policies it composes', () => {
    const objects = synthValid(
      new HardenedMesh(Testing.app(), 'hardened-mesh', {
        rootNamespace: 'mesh-root',
        istioApp: 'istio',
        waypointGatewayClass: 'custom-waypoint',
        ingress: {
          app: 'edge',
          namespace: 'ingress',
          gateway: 'public',
          externalTrafficCidrs: '203.0.113.0/24, 2001:db8::/48',
        },
      }),
    );
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'mesh-root/istio-mesh-root-policy-global-allow-nothing-ztunnel',
      'mesh-root/istio-mesh-root-policy-global-allow-nothing-waypoint',
      'ingress/edge-ingress-external-traffic',
    ]);
    expect(objects[1].spec.targetRefs[0].name).toBe('custom-waypoint');
    expect(objects[2].spec.targetRefs[0].name).toBe('public');
    expect(objects[2].spec.rules[0].from[0].source.ipBlocks).toEqual([
      '203.0.113.0/24',
      '2001:db8::/48',
    ]);
  });

  test('with hardenedMode false leaves out both allow-nothing policies and keeps the ingress policy', () => {
    const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', { hardenedMode: false });
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual([
      'istio-ingress-k8s-istio-system-external-traffic',
    ]);
    expect(chart.ztunnelAllowNothing).toBeUndefined();
    expect(chart.waypointAllowNothing).toBeUndefined();
  });

  test('with ingress false leaves out the ingress policy', () => {
    const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', { ingress: false });
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual([
      'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
      'istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
    ]);
    expect(chart.ingressExternalTraffic).toBeUndefined();
  });

  test('defaults the Gateway to the ingress app name', () => {
    const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', { ingress: { app: 'edge' } });
    expect(chart.ingressExternalTraffic?.gateway).toBe('edge');
    expect(chart.ingressExternalTraffic?.name).toBe('edge-istio-system-external-traffic');
  });

  test('synthesizes the same YAML twice', () => {
    const render = () => synthApp().synthYaml();
    expect(render()).toBe(render());
  });

  test('fails on an ingress prop, naming it as the chart prop ingress.<key>', () => {
    expect(
      () =>
        new HardenedMesh(Testing.app(), 'hardened-mesh', { ingress: { externalTrafficCidrs: [] } }),
    ).toThrow(
      'hardened-mesh/ingress-external-traffic: ingress.externalTrafficCidrs [] holds no address',
    );
    expect(
      () => new HardenedMesh(Testing.app(), 'hardened-mesh', { ingress: { app: 'Edge' } }),
    ).toThrow(
      'hardened-mesh/ingress-external-traffic: ingress.app "Edge" is not a valid Kubernetes name',
    );
    expect(
      () => new HardenedMesh(Testing.app(), 'hardened-mesh', { ingress: { gateway: 'Edge' } }),
    ).toThrow(
      'hardened-mesh/ingress-external-traffic: ingress.gateway "Edge" is not a valid Kubernetes name',
    );
  });

  test('fails on mesh-wide props, naming them', () => {
    expect(
      () => new HardenedMesh(Testing.app(), 'hardened-mesh', { rootNamespace: 'Root' }),
    ).toThrow('hardened-mesh/ztunnel-allow-nothing: rootNamespace "Root" is not a valid namespace');
    expect(
      () => new HardenedMesh(Testing.app(), 'hardened-mesh', { waypointGatewayClass: 'Waypoint' }),
    ).toThrow(
      'hardened-mesh/waypoint-allow-nothing: waypointGatewayClass "Waypoint" is not a valid',
    );
    expect(
      () => new HardenedMesh(Testing.app(), 'hardened-mesh', { istioApp: 'x'.repeat(250) }),
    ).toThrow(
      /hardened-mesh\/ztunnel-allow-nothing: istioApp makes the name "x+-istio-system-policy-global-allow-nothing-ztunnel" \d+ characters long/,
    );
  });

  test('fails on a hardenedMode that is not a boolean (a JavaScript caller passing "false")', () => {
    expect(
      () =>
        new HardenedMesh(Testing.app(), 'hardened-mesh', {
          hardenedMode: 'false' as unknown as boolean,
        }),
    ).toThrow('hardened-mesh: hardenedMode must be true or false, got "false"');
  });

  describe('sync waves', () => {
    test('put the ALLOW policies before the allow-nothing policies by default (-1 and 1)', () => {
      const objects = synthValid(new HardenedMesh(Testing.app(), 'hardened-mesh'));
      expect(objects.map((o) => [o.metadata.name, o.metadata.annotations])).toEqual([
        [
          'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
          { 'argocd.argoproj.io/sync-wave': '1' },
        ],
        [
          'istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
          { 'argocd.argoproj.io/sync-wave': '1' },
        ],
        [
          'istio-ingress-k8s-istio-system-external-traffic',
          { 'argocd.argoproj.io/sync-wave': '-1' },
        ],
      ]);
    });

    test('take other waves, or none with false', () => {
      const waves = synthValid(
        new HardenedMesh(Testing.app(), 'hardened-mesh', {
          syncWaves: { allow: -3, allowNothing: 7 },
          waypoints: [{ namespace: 'shop' }],
        }),
      ).map((o) => o.metadata.annotations['argocd.argoproj.io/sync-wave']);
      expect(waves).toEqual(['7', '7', '-3', '-3']);
      const none = synthValid(
        new HardenedMesh(Testing.app(), 'hardened-mesh', {
          syncWaves: false,
          waypoints: [{ namespace: 'shop' }],
        }),
      );
      expect(none).toHaveLength(4);
      none.forEach((o) => expect(o.metadata.annotations).toBeUndefined());
    });

    test('fail when the ALLOW wave would not come first', () => {
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            syncWaves: { allow: 1, allowNothing: 1 },
          }),
      ).toThrow(
        'hardened-mesh: syncWaves puts the ALLOW policies in wave 1, not before the allow-nothing ' +
          'policies in wave 1: Argo CD would lock traffic down before the ALLOWs exist',
      );
    });
  });

  describe('dryRun', () => {
    test('renders both allow-nothing policies, and only them, with istio.io/dry-run', () => {
      const objects = synthValid(
        new HardenedMesh(Testing.app(), 'hardened-mesh', { dryRun: true }),
      );
      expect(objects.map((o) => o.metadata.annotations['istio.io/dry-run'])).toEqual([
        'true',
        'true',
        undefined,
      ]);
    });

    test('fails on a value that is not a boolean', () => {
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            dryRun: 'true' as unknown as boolean,
          }),
      ).toThrow('hardened-mesh/ztunnel-allow-nothing: dryRun must be true or false, got "true"');
    });
  });

  describe('waypoints and autoAllowWaypointPolicy', () => {
    test('emit the L4 ALLOW from each waypoint identity when istiod does not (the default)', () => {
      const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', {
        ingress: false,
        waypoints: [
          { namespace: 'default' },
          {
            namespace: 'shop',
            waypoint: 'shop-waypoint',
            targets: [WorkloadTarget.selector('shop', { app: 'api' })],
          },
        ],
      });
      const objects = synthValid(chart);
      expect(objects).toMatchSnapshot();
      // Reference §2: istiod's own policy (PILOT_AUTO_ALLOW_WAYPOINT_POLICY, default false) allows
      // exactly "<td>/ns/<waypoint-ns>/sa/<waypoint-sa>" on the workloads using the waypoint.
      expect(objects.slice(2).map((o) => [o.metadata.namespace, o.metadata.name, o.spec])).toEqual([
        [
          'default',
          'allow-from-waypoint-default-waypoint',
          {
            action: 'ALLOW',
            rules: [
              { from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint'] } }] },
            ],
          },
        ],
        [
          'shop',
          'allow-from-waypoint-shop-shop-waypoint',
          {
            action: 'ALLOW',
            selector: { matchLabels: { app: 'api' } },
            rules: [
              { from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-waypoint'] } }] },
            ],
          },
        ],
      ]);
      expect(chart.waypointAllows).toHaveLength(2);
    });

    test('use the configured trust domain', () => {
      const objects = synthValid(
        new HardenedMesh(Testing.app(), 'hardened-mesh', {
          trustDomain: 'prod.example',
          waypoints: [{ namespace: 'default' }],
        }),
      );
      expect(objects[3].spec.rules[0].from[0].source.principals).toEqual([
        'prod.example/ns/default/sa/waypoint',
      ]);
    });

    test('emit nothing for the waypoints when istiod writes those ALLOWs itself', () => {
      const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', {
        autoAllowWaypointPolicy: true,
        waypoints: [{ namespace: 'default' }],
      });
      expect(synthValid(chart)).toHaveLength(3);
      expect(chart.waypointAllows).toEqual([]);
    });

    test('emit nothing without hardened mode, where an ALLOW would itself lock the workloads down', () => {
      const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', {
        hardenedMode: false,
        waypoints: [{ namespace: 'default' }],
      });
      expect(synthValid(chart).map((o) => o.metadata.name)).toEqual([
        'istio-ingress-k8s-istio-system-external-traffic',
      ]);
    });

    test('fail on a bad waypoint, naming it as the chart prop waypoints[<index>].<key>', () => {
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            waypoints: [{ namespace: 'default' }, { namespace: 'Shop' }],
          }),
      ).toThrow('hardened-mesh: waypoints[1].namespace "Shop" is not a valid namespace');
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            waypoints: { namespace: 'default' } as unknown as [],
          }),
      ).toThrow(
        'hardened-mesh: waypoints must be a list of waypoints, got {"namespace":"default"}',
      );
    });

    test('fail on a bad waypoint also when nothing is emitted for it', () => {
      for (const props of [{ hardenedMode: false }, { autoAllowWaypointPolicy: true }]) {
        expect(
          () =>
            new HardenedMesh(Testing.app(), 'hardened-mesh', {
              ...props,
              waypoints: [
                { namespace: 'BAD NS', bogus: 1 } as unknown as HardenedMeshWaypointProps,
              ],
            }),
        ).toThrow('hardened-mesh: waypoints[0] has the unknown prop "bogus"');
      }
    });

    test('render the waypoint ALLOWs as dry-run too when the lockdown is dry-run', () => {
      const chart = new HardenedMesh(Testing.app(), 'hardened-mesh', {
        dryRun: true,
        waypoints: [{ namespace: 'shop' }],
      });
      const allows = synthValid(chart).filter((o) => o.metadata.name.startsWith('allow-from'));
      expect(allows).toHaveLength(1);
      expect(allows[0].metadata.annotations['istio.io/dry-run']).toBe('true');
    });

    test('fail on a waypoint prop the chart sets itself', () => {
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            waypoints: [{ namespace: 'default', syncWave: 3 } as HardenedMeshWaypointProps],
          }),
      ).toThrow(
        'hardened-mesh: waypoints[0] has the unknown prop "syncWave"; allowed: namespace, ' +
          'waypoint, serviceAccount, targets',
      );
    });

    test('fail on an autoAllowWaypointPolicy or trustDomain of the wrong kind', () => {
      expect(
        () =>
          new HardenedMesh(Testing.app(), 'hardened-mesh', {
            autoAllowWaypointPolicy: 'true' as unknown as boolean,
          }),
      ).toThrow(
        'hardened-mesh: autoAllowWaypointPolicy must be true or false (the ' +
          'PILOT_AUTO_ALLOW_WAYPOINT_POLICY of istiod), got "true"',
      );
      expect(
        () => new HardenedMesh(Testing.app(), 'hardened-mesh', { trustDomain: 'spiffe://x' }),
      ).toThrow('hardened-mesh: trustDomain "spiffe://x" is not a trust domain');
    });
  });

  test('passes enrolledInAmbient on to the ingress, in the ALLOW wave', () => {
    const objects = synthValid(
      new HardenedMesh(Testing.app(), 'hardened-mesh', {
        ingress: { namespace: 'default', gateway: 'bookinfo-gateway', enrolledInAmbient: true },
      }),
    );
    expect(objects[3].metadata).toEqual({
      name: 'istio-ingress-k8s-default-external-traffic-ztunnel',
      namespace: 'default',
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    });
  });
});

describe('HardenedMesh from plain JavaScript (no type checker)', () => {
  // Each of these once fell back to the default ingress policy, open to 0.0.0.0/0.
  test.each([
    ['a string', 'false'],
    ['null', null],
    ['true', true],
    ['a list of CIDRs', ['10.0.0.0/8']],
    ['a Map', new Map([['externalTrafficCidrs', '10.0.0.0/8']])],
  ])('fails on ingress given as %s', (_what, ingress) => {
    const props = { ingress } as unknown as HardenedMeshProps;
    expect(() => new HardenedMesh(Testing.app(), 'hardened-mesh', props)).toThrow(
      /^hardened-mesh: ingress must be an object of ingress props, or false for no ingress policy, got /,
    );
  });

  test('fails on a misspelt ingress prop', () => {
    const props = {
      ingress: { externalTrafficCIDRs: '10.0.0.0/8' },
    } as unknown as HardenedMeshProps;
    expect(() => new HardenedMesh(Testing.app(), 'hardened-mesh', props)).toThrow(
      'hardened-mesh/ingress-external-traffic: ingress.props has the unknown prop "externalTrafficCIDRs"',
    );
  });

  test('fails on a prop given at the wrong level', () => {
    const props = { externalTrafficCidrs: '10.0.0.0/8' } as unknown as HardenedMeshProps;
    expect(() => new HardenedMesh(Testing.app(), 'hardened-mesh', props)).toThrow(
      'hardened-mesh: props has the unknown prop "externalTrafficCidrs"; allowed: hardenedMode, rootNamespace',
    );
  });

  test('fails on props that are not an object', () => {
    expect(
      () =>
        new HardenedMesh(
          Testing.app(),
          'hardened-mesh',
          'hardened' as unknown as HardenedMeshProps,
        ),
    ).toThrow('hardened-mesh: props must be an object of props, got "hardened"');
  });

  test('fails on an istioApp that is not a string instead of converting it', () => {
    const props = { istioApp: 42 } as unknown as HardenedMeshProps;
    expect(() => new HardenedMesh(Testing.app(), 'hardened-mesh', props)).toThrow(
      'hardened-mesh/ztunnel-allow-nothing: istioApp must be a string, got 42',
    );
  });
});

function synthApp() {
  const app = Testing.app();
  new HardenedMesh(app, 'hardened-mesh');
  return app;
}
