// What the Bookinfo example allows and denies, decided by the offline checker (lib/check) over
// Istio's Bookinfo and curl samples plus the committed examples/bookinfo/dist/.
import * as path from 'path';
import { decide, DecisionInput, loadManifests, Mesh } from '../../../lib';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SAMPLES = path.join(ROOT, '..', 'shared', 'samples', 'bookinfo');
const EXAMPLE_DIST = path.join(ROOT, 'examples', 'bookinfo', 'dist');
const manifests = loadManifests([SAMPLES, EXAMPLE_DIST]);

function call(from: string, service: string, method = 'GET'): DecisionInput {
  return {
    from: { workload: from },
    to: { service, port: 9080 },
    request: { method, path: `/${service}/0` },
  };
}

const browser: DecisionInput = {
  from: { external: '203.0.113.7' },
  to: { gateway: 'bookinfo-gateway', port: 80 },
  request: { method: 'GET', path: '/productpage' },
};

const allowed: [string, DecisionInput][] = [
  ['the internet to productpage through bookinfo-gateway', browser],
  ['productpage GET details', call('productpage-v1', 'details')],
  ['productpage GET reviews', call('productpage-v1', 'reviews')],
  ...['reviews-v1', 'reviews-v2', 'reviews-v3'].map((reviews): [string, DecisionInput] => [
    `${reviews} GET ratings`,
    call(reviews, 'ratings'),
  ]),
];

const denied: [string, DecisionInput][] = [
  ['productpage POST details', call('productpage-v1', 'details', 'POST')],
  ['productpage DELETE reviews', call('productpage-v1', 'reviews', 'DELETE')],
  ['productpage GET ratings', call('productpage-v1', 'ratings')],
  ['reviews-v2 GET details', call('reviews-v2', 'details')],
  ['reviews-v1 GET productpage', call('reviews-v1', 'productpage')],
  ['details GET productpage', call('details-v1', 'productpage')],
  ['ratings GET reviews', call('ratings-v1', 'reviews')],
  ['curl GET productpage', call('curl', 'productpage')],
  ['curl GET details', call('curl', 'details')],
  [
    'the internet straight to productpage',
    { from: { external: '203.0.113.7' }, to: { service: 'productpage', port: 9080 } },
  ],
];

describe.each([false, true])('Bookinfo example with autoAllowWaypointPolicy %s', (auto) => {
  const mesh = Mesh.fromManifests(manifests, { autoAllowWaypointPolicy: auto });

  test.each(allowed)('allows %s', (_name, input) => {
    expect(decide(mesh, input).decision).toBe('allow');
  });

  test.each(denied)('denies %s', (_name, input) => {
    expect(decide(mesh, input).decision).toBe('deny');
  });

  test('the gateway path passes its ztunnel, its Envoy, then productpage ztunnel', () => {
    expect(decide(mesh, browser).hops.map((hop) => [hop.target, hop.verdict.policy?.id])).toEqual([
      [
        'ztunnel of gateway default/bookinfo-gateway',
        'default/bookinfo-gateway-default-external-traffic-ztunnel',
      ],
      ['gateway default/bookinfo-gateway', 'default/bookinfo-gateway-default-external-traffic'],
      ['ztunnel of Deployment default/productpage-v1', 'default/bookinfo-gateway-to-productpage'],
    ]);
  });

  test('service calls pass the waypoint ALLOW, then ztunnel seeing the waypoint identity', () => {
    expect(
      decide(mesh, call('productpage-v1', 'details')).hops.map((hop) => [
        hop.target,
        hop.verdict.policy?.id,
      ]),
    ).toEqual([
      ['waypoint default/waypoint', 'default/productpage-to-details'],
      ['ztunnel of Deployment default/details-v1', 'default/allow-from-waypoint-default-waypoint'],
    ]);
  });
});

describe('the parts the example cannot do without', () => {
  function without(name: string) {
    return Mesh.fromManifests(
      manifests.filter((object) => object.name !== name),
      { autoAllowWaypointPolicy: false },
    );
  }

  test('without its waypoint ALLOW (and istiod not writing one), ztunnel refuses the waypoint', () => {
    expect(
      decide(without('allow-from-waypoint-default-waypoint'), call('productpage-v1', 'details')),
    ).toMatchObject({ decision: 'deny', enforcedBy: 'ztunnel' });
  });

  test("without the gateway's ztunnel ALLOW, external traffic stops before the gateway's Envoy", () => {
    const decision = decide(without('bookinfo-gateway-default-external-traffic-ztunnel'), browser);
    expect(decision).toMatchObject({ decision: 'deny', enforcedBy: 'ztunnel' });
    expect(decision.hops.map((hop) => hop.target)).toEqual([
      'ztunnel of gateway default/bookinfo-gateway',
    ]);
  });
});
