import { IngressBackendAllow, WorkloadTarget } from '../lib';
import { synthValid, testChart } from './support/synth';

const productpage = WorkloadTarget.selector('default', { app: 'productpage' });

describe('IngressBackendAllow', () => {
  test('allows the <gateway>-istio identity to the backend ports, at ztunnel', () => {
    const chart = testChart();
    new IngressBackendAllow(chart, 'gw', {
      gateway: 'bookinfo-gateway',
      gatewayNamespace: 'default',
      target: productpage,
      ports: [9080],
      name: 'bookinfo-gateway-to-productpage',
    });
    const [policy] = synthValid(chart);
    expect(policy.metadata.name).toBe('bookinfo-gateway-to-productpage');
    expect(policy.spec).toEqual({
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
    });
  });

  test('takes the service account of a gateway of another class, and every port', () => {
    const chart = testChart();
    new IngressBackendAllow(chart, 'gw', {
      gateway: 'edge',
      gatewayNamespace: 'ingress',
      gatewayClass: 'other',
      serviceAccount: 'edge-proxy',
      target: productpage,
    });
    expect(synthValid(chart)[0].spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/ingress/sa/edge-proxy'] } }] },
    ]);
  });

  test('fails on a gateway of another class without service account', () => {
    expect(
      () =>
        new IngressBackendAllow(testChart(), 'gw', {
          gateway: 'edge',
          gatewayNamespace: 'ingress',
          gatewayClass: 'other',
          target: productpage,
        }),
    ).toThrow(
      'test/gw: Source.ingressGateway serviceAccount is required for gateway class "other"',
    );
    expect(
      () =>
        new IngressBackendAllow(testChart(), 'gw', {
          gateway: 'edge',
          gatewayNamespace: 'Ingress',
          target: productpage,
        }),
    ).toThrow('test/gw: gatewayNamespace "Ingress" is not a valid namespace');
  });
});
