/**
 * Hardening for Istio's Bookinfo sample (`samples/bookinfo/platform/kube/bookinfo.yaml` and
 * `samples/bookinfo/gateway-api/bookinfo-gateway.yaml`), deployed to namespace `default`.
 *
 * The app holds two charts: `hardened-mesh` (the mesh-wide lockdown, the ingress gateway's
 * external-traffic ALLOWs and the waypoint's L4 ALLOW) and `bookinfo` (the namespace enrollment,
 * the waypoint and the ALLOWs for exactly the traffic Bookinfo needs):
 *
 * - the internet to the `bookinfo-gateway` gateway;
 * - the gateway (`bookinfo-gateway-istio`) to productpage on 9080;
 * - productpage GET to details and reviews on 9080;
 * - reviews GET to ratings on 9080.
 *
 * It works whether or not istiod's auto-allow waypoint policy is on: the waypoint's L4 ALLOW is
 * always written here, and is harmless next to istiod's own.
 */
import { App, Chart } from 'cdk8s';
import { KubeNamespace } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Gateway } from '../../imports/gateway-gateway.networking.k8s.io';
import {
  HardenedMesh,
  IngressBackendAllow,
  ServiceAllow,
  ServiceTarget,
  Source,
  SYNC_WAVE_ANNOTATION,
  WorkloadTarget,
} from '../../lib';

/** The namespace Istio's docs deploy Bookinfo to. */
export const NAMESPACE = 'default';

/** The waypoint Gateway of the namespace, as `istioctl waypoint apply` names it. */
export const WAYPOINT = 'waypoint';

/** The Bookinfo ingress Gateway (class `istio`) of `bookinfo-gateway.yaml`. */
export const INGRESS_GATEWAY = 'bookinfo-gateway';

/** The port every Bookinfo service and container listens on. */
export const BOOKINFO_PORT = 9080;

/** The service account of a Bookinfo workload (`bookinfo-<app>` in `bookinfo.yaml`). */
function bookinfoAccount(app: string): Source {
  return Source.serviceAccount(NAMESPACE, `bookinfo-${app}`);
}

/** The namespace enrollment, the waypoint and Bookinfo's own ALLOW policies. */
export class BookinfoHardening extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Enrolling the namespace makes ztunnel enforce the mesh-wide allow-nothing on Bookinfo's
    // pods; unannotated, it is applied in wave 0, after the ALLOWs (-1) and before the lockdown.
    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: NAMESPACE,
        labels: {
          'istio.io/dataplane-mode': 'ambient',
          'istio.io/use-waypoint': WAYPOINT,
        },
      },
    });

    // As `istioctl waypoint generate` writes it; applied with the ALLOWs, before the namespace
    // points its services at it.
    new Gateway(this, 'waypoint', {
      metadata: {
        name: WAYPOINT,
        namespace: NAMESPACE,
        labels: { 'istio.io/waypoint-for': 'service' },
        annotations: { [SYNC_WAVE_ANNOTATION]: '-1' },
      },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      },
    });

    // The ingress gateway sends straight to productpage's pods (the Service is not labelled
    // istio.io/ingress-use-waypoint), so productpage's ztunnel sees the gateway's identity.
    new IngressBackendAllow(this, 'gateway-to-productpage', {
      name: 'bookinfo-gateway-to-productpage',
      gateway: INGRESS_GATEWAY,
      gatewayNamespace: NAMESPACE,
      target: WorkloadTarget.selector(NAMESPACE, { app: 'productpage' }),
      ports: [BOOKINFO_PORT],
    });

    // Service-to-service requests go through the waypoint, which sees the client's identity.
    const get = [{ methods: ['GET'], ports: [BOOKINFO_PORT] }];
    for (const [client, server] of [
      ['productpage', 'details'],
      ['productpage', 'reviews'],
      ['reviews', 'ratings'],
    ]) {
      new ServiceAllow(this, `${client}-to-${server}`, {
        name: `${client}-to-${server}`,
        targets: [ServiceTarget.service(NAMESPACE, server)],
        rules: [{ from: [bookinfoAccount(client)], to: get }],
      });
    }
  }
}

/** Builds the example app: the mesh-wide hardening and Bookinfo's chart. */
export function buildBookinfoApp(outdir: string): App {
  const app = new App({ outdir });
  new HardenedMesh(app, 'hardened-mesh', {
    ingress: {
      app: INGRESS_GATEWAY,
      namespace: NAMESPACE,
      gateway: INGRESS_GATEWAY,
      // `default` is enrolled in ambient, so the gateway's own pods are captured by ztunnel.
      enrolledInAmbient: true,
    },
    waypoints: [{ namespace: NAMESPACE, waypoint: WAYPOINT }],
    // Istio's default; a cluster with the flag on gets the same ALLOW twice, which is harmless.
    autoAllowWaypointPolicy: false,
  });
  new BookinfoHardening(app, 'bookinfo');
  return app;
}
