import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildBookinfoApp } from '../../../examples/bookinfo/chart';
import { synthesizeInto } from '../../../lib';
import { crds, Manifests } from '../../support/synth';
import { tempDir } from '../../support/run';

const EXAMPLE_DIST = path.resolve(__dirname, '..', '..', '..', 'examples', 'bookinfo', 'dist');
const SAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'samples', 'bookinfo');

function synthExample(): Manifests {
  const app = buildBookinfoApp(tempDir());
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

function readSamples(file: string): Manifests {
  return parseAllDocuments(fs.readFileSync(path.join(SAMPLES, file), 'utf8'))
    .map((document) => document.toJS())
    .filter(Boolean);
}

/** A policy reduced to what decides who may reach what. */
function summary(policy: Manifests[number]) {
  const spec = policy.spec;
  return {
    policy: `${policy.metadata.namespace}/${policy.metadata.name}`,
    action: spec.action ?? 'ALLOW',
    target: spec.targetRefs
      ? spec.targetRefs.map((ref: { kind: string; name: string }) => `${ref.kind}/${ref.name}`)
      : spec.selector
        ? spec.selector.matchLabels
        : 'namespace',
    rules: spec.rules,
  };
}

const objects = synthExample();
const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy');
const sample = readSamples('bookinfo.yaml');

describe('examples/bookinfo', () => {
  test('every Gateway and AuthorizationPolicy is valid against the official CRDs (schema + CEL)', () => {
    const checked = objects.filter((o) => o.kind !== 'Namespace');
    expect(checked.map((o) => o.kind).sort()).toEqual([
      ...Array(9).fill('AuthorizationPolicy'),
      'Gateway',
    ]);
    checked.forEach((object) => crds.assertValid(object));
    expect(objects).toMatchSnapshot();
  });

  test('enrolls namespace default in ambient with the waypoint', () => {
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'default',
          labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' },
        },
      },
    ]);
  });

  test('declares the waypoint as Istio does: class istio-waypoint, listener mesh on 15008 HBONE', () => {
    const [waypoint] = objects.filter((o) => o.kind === 'Gateway');
    expect(waypoint.metadata).toEqual(
      expect.objectContaining({ name: 'waypoint', namespace: 'default' }),
    );
    expect(waypoint.spec).toEqual({
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    });
  });

  test('holds the mesh lockdown and ALLOWs for exactly the Bookinfo traffic, nothing else', () => {
    const productpageSa = 'cluster.local/ns/default/sa/bookinfo-productpage';
    const get9080 = [{ operation: { methods: ['GET'], ports: ['9080'] } }];
    expect(policies.map(summary).sort((a, b) => (a.policy < b.policy ? -1 : 1))).toEqual([
      // The waypoint to the workloads of `default` that use it: the same principal istiod's
      // auto-allow policy names, so the output works with the flag on or off (reference §2).
      {
        policy: 'default/allow-from-waypoint-default-waypoint',
        action: 'ALLOW',
        target: 'namespace',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint'] } }] }],
      },
      // The internet to the ingress gateway: at its Envoy (targetRefs) and, because `default`
      // is enrolled in ambient, at the ztunnel in front of its pods (reference §2).
      {
        policy: 'default/bookinfo-gateway-default-external-traffic',
        action: 'ALLOW',
        target: ['Gateway/bookinfo-gateway'],
        rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }],
      },
      {
        policy: 'default/bookinfo-gateway-default-external-traffic-ztunnel',
        action: 'ALLOW',
        target: { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' },
        rules: [{ from: [{ source: { ipBlocks: ['0.0.0.0/0'] } }] }],
      },
      // The gateway's identity to productpage's pods, at their ztunnel.
      {
        policy: 'default/bookinfo-gateway-to-productpage',
        action: 'ALLOW',
        target: { app: 'productpage' },
        rules: [
          {
            from: [
              { source: { principals: ['cluster.local/ns/default/sa/bookinfo-gateway-istio'] } },
            ],
            to: [{ operation: { ports: ['9080'] } }],
          },
        ],
      },
      {
        policy: 'default/productpage-to-details',
        action: 'ALLOW',
        target: ['Service/details'],
        rules: [{ from: [{ source: { principals: [productpageSa] } }], to: get9080 }],
      },
      {
        policy: 'default/productpage-to-reviews',
        action: 'ALLOW',
        target: ['Service/reviews'],
        rules: [{ from: [{ source: { principals: [productpageSa] } }], to: get9080 }],
      },
      {
        policy: 'default/reviews-to-ratings',
        action: 'ALLOW',
        target: ['Service/ratings'],
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-reviews'] } }],
            to: get9080,
          },
        ],
      },
      {
        policy: 'istio-system/istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
        action: 'ALLOW',
        target: ['GatewayClass/istio-waypoint'],
        rules: undefined,
      },
      {
        policy: 'istio-system/istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
        action: 'ALLOW',
        target: 'namespace',
        rules: undefined,
      },
    ]);
  });

  test('names only identities, services and labels that the Bookinfo sample really has', () => {
    const accounts = sample
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => `cluster.local/ns/default/sa/${o.metadata.name}`);
    const [ingress] = readSamples('bookinfo-gateway.yaml').filter((o) => o.kind === 'Gateway');
    expect(ingress.spec.gatewayClassName).toBe('istio');
    const identities = [
      ...accounts,
      `cluster.local/ns/default/sa/${ingress.metadata.name}-istio`,
      'cluster.local/ns/default/sa/waypoint',
    ];
    const principals = policies.flatMap((p) =>
      (p.spec.rules ?? []).flatMap((rule: { from: { source: { principals?: string[] } }[] }) =>
        rule.from.flatMap((entry) => entry.source.principals ?? []),
      ),
    );
    expect(principals.length).toBeGreaterThan(0);
    principals.forEach((principal: string) => expect(identities).toContain(principal));

    const services = new Map(
      sample
        .filter((o) => o.kind === 'Service')
        .map((o) => [o.metadata.name, o.spec.ports.map((port: { port: number }) => port.port)]),
    );
    for (const policy of policies) {
      for (const ref of policy.spec.targetRefs ?? []) {
        if (ref.kind === 'Service') {
          expect(services.get(ref.name)).toEqual([9080]);
        }
      }
    }

    const productpagePods = sample.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'productpage-v1',
    )!.spec.template.metadata.labels;
    const toProductpage = policies.find(
      (p) => p.metadata.name === 'bookinfo-gateway-to-productpage',
    )!;
    expect(productpagePods).toEqual(
      expect.objectContaining(toProductpage.spec.selector.matchLabels),
    );
  });

  test('applies every ALLOW (and the waypoint) in an earlier Argo CD wave than the lockdown', () => {
    const wave = (o: Manifests[number]) =>
      Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const lockdown = policies.filter((p) => p.metadata.name.includes('allow-nothing'));
    const allows = objects.filter((o) => o.kind !== 'Namespace' && !lockdown.includes(o));
    expect(lockdown.map(wave)).toEqual([1, 1]);
    allows.forEach((o) => expect(wave(o)).toBe(-1));
  });

  test('the committed examples/bookinfo/dist/ is exactly a fresh synth', () => {
    const outdir = path.join(tempDir(), 'dist');
    const files = synthesizeInto(outdir, buildBookinfoApp);
    expect(files).toEqual(['bookinfo.k8s.yaml', 'hardened-mesh.k8s.yaml']);
    expect(fs.readdirSync(EXAMPLE_DIST).sort()).toEqual(files);
    for (const file of files) {
      expect(fs.readFileSync(path.join(EXAMPLE_DIST, file), 'utf8')).toBe(
        fs.readFileSync(path.join(outdir, file), 'utf8'),
      );
    }
  });
});
