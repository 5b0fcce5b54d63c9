// End to end on Istio's Bookinfo sample with the policies of Istio's ambient getting-started
// flow (istio.io docs/ambient/getting-started: secure-and-visualize, enforce-auth-policies), each
// documented outcome asserted through the public API.
import * as path from 'path';
import { decide, loadManifests, Mesh, readCasesFile, runCases } from '../../lib';

const ROOT = path.join(__dirname, '..', '..');
const BOOKINFO = path.join(ROOT, '..', 'shared', 'samples', 'bookinfo');
const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'bookinfo', name);

const STEP1 = [BOOKINFO, fixture('namespace-ambient.yaml'), fixture('productpage-ztunnel.yaml')];
const WAYPOINT = [
  BOOKINFO,
  fixture('namespace-waypoint.yaml'),
  fixture('waypoint.yaml'),
  fixture('productpage-waypoint.yaml'),
];
const STEP2 = [...WAYPOINT, fixture('productpage-ztunnel-waypoint.yaml')];

const curlTo = (method: string) => ({
  from: { workload: 'curl' },
  to: { service: 'productpage', port: 9080 },
  request: { method, path: '/productpage' },
});
const browser = {
  from: { external: '203.0.113.7' },
  to: { gateway: 'bookinfo-gateway', port: 80 },
  request: { method: 'GET', path: '/productpage' },
};

describe('Bookinfo, step 1: L4 policy for productpage', () => {
  const mesh = Mesh.fromManifests(loadManifests(STEP1));

  test('the browser reaches productpage through the ingress gateway (gateway identity allowed)', () => {
    const decision = decide(mesh, browser);
    expect(decision).toMatchObject({ decision: 'allow', policy: 'default/productpage-ztunnel' });
    expect(decision.hops.map((h) => h.target)).toEqual([
      'ztunnel of gateway default/bookinfo-gateway',
      'gateway default/bookinfo-gateway',
      'ztunnel of Deployment default/productpage-v1',
    ]);
  });

  test('curl to productpage is refused at ztunnel ("command terminated with exit code 56")', () => {
    expect(decide(mesh, curlTo('GET'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'default/productpage-ztunnel',
    });
  });

  test('the other services stay open: the policy selects productpage only', () => {
    expect(
      decide(mesh, { from: { workload: 'productpage-v1' }, to: { service: 'reviews', port: 9080 } })
        .decision,
    ).toBe('allow');
  });

  test('the step 1 cases file passes', () => {
    expect(runCases(mesh, readCasesFile(fixture('step1-cases.yaml'))).summary).toEqual({
      passed: 4,
      failed: 0,
    });
  });
});

describe('Bookinfo, step 2: waypoint and L7 policy', () => {
  const mesh = Mesh.fromManifests(loadManifests(STEP2));

  test('curl GET is allowed by the waypoint, then by ztunnel seeing the waypoint identity', () => {
    const decision = decide(mesh, curlTo('GET'));
    expect(decision.decision).toBe('allow');
    expect(decision.hops.map((h) => [h.target, h.verdict.policy?.id])).toEqual([
      ['waypoint default/waypoint', 'default/productpage-waypoint'],
      ['ztunnel of Deployment default/productpage-v1', 'default/productpage-ztunnel'],
    ]);
  });

  test('curl DELETE is denied by the waypoint ("RBAC: access denied")', () => {
    expect(decide(mesh, curlTo('DELETE'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'waypoint',
      policy: 'default/productpage-waypoint',
    });
  });

  test('reviews-v1 is denied by the waypoint ("RBAC: access denied")', () => {
    expect(decide(mesh, { ...curlTo('GET'), from: { workload: 'reviews-v1' } })).toMatchObject({
      decision: 'deny',
      enforcedBy: 'waypoint',
      policy: 'default/productpage-waypoint',
    });
  });

  test('the browser still reaches productpage: ingress does not use the waypoint', () => {
    const decision = decide(mesh, browser);
    expect(decision.decision).toBe('allow');
    expect(decision.hops.map((h) => h.point)).toEqual(['ztunnel', 'gateway', 'ztunnel']);
  });

  test('without the waypoint identity in the L4 policy, ztunnel refuses traffic from the waypoint', () => {
    const before = Mesh.fromManifests(
      loadManifests([...WAYPOINT, fixture('productpage-ztunnel.yaml')]),
    );
    expect(decide(before, curlTo('GET'))).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'default/productpage-ztunnel',
    });
  });

  test('the step 2 cases file passes', () => {
    expect(runCases(mesh, readCasesFile(fixture('step2-cases.yaml'))).summary).toEqual({
      passed: 4,
      failed: 0,
    });
  });
});
