import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { HardenedMesh, IngressExternalTraffic, ZtunnelAllowNothing } from '../lib';
import { requireUniqueObjectNames } from '../lib/unique-names';

describe('requireUniqueObjectNames', () => {
  test('fails the synth when two ingress policies would share a name', () => {
    const app = Testing.app();
    new HardenedMesh(app, 'mesh', { ingress: { externalTrafficCidrs: '203.0.113.0/24' } });
    // Another gateway, but the same default app and namespace: the same policy name.
    new IngressExternalTraffic(new Chart(app, 'platform'), 'partner', { gateway: 'partner' });

    expect(() => app.synthYaml()).toThrow(
      'mesh/ingress-external-traffic/Resource and platform/partner/Resource both define ' +
        'AuthorizationPolicy istio-system/istio-ingress-k8s-istio-system-external-traffic: ' +
        'applied to a cluster, one would replace the other',
    );
  });

  test('fails the synth when two HardenedMesh charts share an app', () => {
    const app = Testing.app();
    new HardenedMesh(app, 'one');
    new HardenedMesh(app, 'two');
    expect(() => app.synthYaml()).toThrow(
      'one/ztunnel-allow-nothing/Resource and two/ztunnel-allow-nothing/Resource both define',
    );
  });

  test("also catches a clash with the user's own objects", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ZtunnelAllowNothing(chart, 'allow-nothing');
    new ApiObject(chart, 'mine', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: {
        name: 'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
        namespace: 'istio-system',
      },
    });
    expect(() => app.synthYaml()).toThrow(
      'platform/allow-nothing/Resource and platform/mine both define',
    );
  });

  test('accepts the same name in another namespace or of another kind', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ZtunnelAllowNothing(chart, 'a', { rootNamespace: 'one', istioApp: 'x' });
    new ApiObject(chart, 'b', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x-one-policy-global-allow-nothing-ztunnel', namespace: 'two' },
    });
    new ApiObject(chart, 'c', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x-one-policy-global-allow-nothing-ztunnel', namespace: 'one' },
    });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('registers its check once per app, however many constructs ask', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    requireUniqueObjectNames(chart);
    requireUniqueObjectNames(chart);
    for (const id of ['a', 'b']) {
      new ApiObject(chart, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    }
    expect(app.node.validate()).toEqual([
      'c/a and c/b both define ConfigMap same: applied to a cluster, one would replace the other; ' +
        'give one of them another name (or app, istioApp, namespace)',
    ]);
  });
});
