import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ServiceTarget } from '../lib';
import { isHttpPortName } from '../lib/service-target';

describe('ServiceTarget', () => {
  test('service is kind Service in the core group', () => {
    const target = ServiceTarget.service('default', 'details');
    expect(target.namespace).toBe('default');
    expect(target.targetRef).toEqual({ group: '', kind: 'Service', name: 'details' });
    expect(String(target)).toBe('Service default/details');
  });

  test('waypoint is kind Gateway of the Gateway API', () => {
    expect(ServiceTarget.waypoint('default', 'waypoint').targetRef).toEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: 'waypoint',
    });
  });

  test('serviceEntry is kind ServiceEntry of networking.istio.io', () => {
    expect(ServiceTarget.serviceEntry('egress', 'httpbin-org').targetRef).toEqual({
      group: 'networking.istio.io',
      kind: 'ServiceEntry',
      name: 'httpbin-org',
    });
  });

  test('fails on a bad namespace or name', () => {
    expect(() => ServiceTarget.service('default', 'Details')).toThrow(
      'ServiceTarget.service name "Details" is not a valid Kubernetes name',
    );
    expect(() => ServiceTarget.waypoint('x_y', 'waypoint')).toThrow(
      'ServiceTarget.waypoint namespace "x_y" is not a valid namespace',
    );
  });

  test('fromService takes the name and namespace of a cdk8s-plus Service', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const service = new kplus.Service(chart, 'api', {
      metadata: { name: 'api' },
      ports: [{ port: 80 }],
    });
    const target = ServiceTarget.fromService(service);
    expect(target.namespace).toBe('shop');
    expect(target.targetRef).toEqual({ group: '', kind: 'Service', name: 'api' });
  });

  test('fromService fails on a Service without namespace', () => {
    const chart = new Chart(Testing.app(), 'c');
    const service = new kplus.Service(chart, 'api', {
      metadata: { name: 'api' },
      ports: [{ port: 80 }],
    });
    expect(() => ServiceTarget.fromService(service)).toThrow(
      'ServiceTarget.fromService(c/api) has no namespace: set metadata.namespace on "api" or the ' +
        'namespace of its chart',
    );
  });
});

describe('isHttpPortName', () => {
  test.each([
    ['http', true],
    ['http-web', true],
    ['http2', true],
    ['grpc', true],
    ['grpc-web', true],
    ['https', false],
    ['tcp-http', false],
    ['web', false],
    [undefined, false],
  ])('%s is HTTP: %s', (name, http) => {
    expect(isHttpPortName(name)).toBe(http);
  });
});
