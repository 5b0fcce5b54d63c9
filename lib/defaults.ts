/**
 * Defaults shared by the constructs. They match a stock Istio install and the names the Canonical
 * istio-k8s and istio-ingress-k8s charms give their policies, so output from this library can
 * replace the charms' policies one for one.
 */

/** Istio's default `meshConfig.rootNamespace`. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** Prefix of the mesh-wide policy names. */
export const DEFAULT_ISTIO_APP = 'istio-k8s';

/** The GatewayClass Istio creates for waypoints. */
export const DEFAULT_WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';

/** Prefix of the ingress policy name, and the default Gateway name. */
export const DEFAULT_INGRESS_APP = 'istio-ingress-k8s';

/** Any IPv4 source: the ingress default, where the gateway takes traffic from the internet. */
export const DEFAULT_EXTERNAL_TRAFFIC_CIDRS: readonly string[] = Object.freeze(['0.0.0.0/0']);

/** API group of the Gateway API kinds targeted by `targetRefs`. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The name Istio's docs give the waypoint of a namespace (`istioctl waypoint apply`). */
export const DEFAULT_WAYPOINT_NAME = 'waypoint';
