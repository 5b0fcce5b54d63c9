import * as defaults from '../lib/defaults';
import { validateNamespace, validateObjectName } from '../lib/names';

describe('defaults', () => {
  test('match a stock Istio install: root namespace istio-system, waypoint class istio-waypoint', () => {
    expect(defaults.DEFAULT_ROOT_NAMESPACE).toBe('istio-system');
    expect(defaults.DEFAULT_WAYPOINT_GATEWAY_CLASS).toBe('istio-waypoint');
    expect(defaults.GATEWAY_API_GROUP).toBe('gateway.networking.k8s.io');
  });

  test('are themselves valid names', () => {
    expect(() => validateNamespace('root', defaults.DEFAULT_ROOT_NAMESPACE)).not.toThrow();
    for (const name of [
      defaults.DEFAULT_ISTIO_APP,
      defaults.DEFAULT_INGRESS_APP,
      defaults.DEFAULT_WAYPOINT_GATEWAY_CLASS,
    ]) {
      expect(() => validateObjectName('name', name)).not.toThrow();
    }
  });

  test('cannot be changed by a caller, so one chart cannot widen the default of another', () => {
    expect(() => (defaults.DEFAULT_EXTERNAL_TRAFFIC_CIDRS as string[]).push('10.0.0.0/8')).toThrow(
      TypeError,
    );
    expect(defaults.DEFAULT_EXTERNAL_TRAFFIC_CIDRS).toEqual(['0.0.0.0/0']);
  });
});
