import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DEFAULT_ISTIO_APP,
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_WAYPOINT_GATEWAY_CLASS,
} from './defaults';
import { IngressExternalTraffic, IngressExternalTrafficProps } from './ingress-external-traffic';
import { checkProps } from './errors';
import { InvalidValueError, quote } from './names';
import { checkPropsObject, isPlainObject, withDefault } from './props';
import { WaypointAllowNothing } from './waypoint-allow-nothing';
import { ZtunnelAllowNothing } from './ztunnel-allow-nothing';

/** The ingress gateway part of {@link HardenedMeshProps}. */
export type HardenedMeshIngressProps = IngressExternalTrafficProps;

/** Props of {@link HardenedMesh}. */
export interface HardenedMeshProps extends ChartProps {
  /**
   * Whether to lock the mesh down: emit the allow-nothing policies for ztunnel and for waypoints.
   * With `false` only the ingress policy is emitted and the mesh allows what no policy forbids.
   *
   * @default true
   */
  readonly hardenedMode?: boolean;

  /**
   * Istio's root namespace (`meshConfig.rootNamespace`), where the mesh-wide policies go.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Prefix of the mesh-wide policy names (`<istioApp>-<rootNamespace>-policy-...`).
   *
   * @default 'istio-k8s'
   */
  readonly istioApp?: string;

  /**
   * The GatewayClass of the waypoints.
   *
   * @default 'istio-waypoint'
   */
  readonly waypointGatewayClass?: string;

  /**
   * The ingress gateway that external clients may reach, or `false` for none.
   *
   * @default - app 'istio-ingress-k8s' in 'istio-system', Gateway named after the app, open to '0.0.0.0/0'
   */
  readonly ingress?: HardenedMeshIngressProps | false;
}

/** Every prop {@link HardenedMesh} takes, its own and those of a cdk8s Chart. */
const HARDENED_MESH_PROPS = [
  'hardenedMode',
  'rootNamespace',
  'istioApp',
  'waypointGatewayClass',
  'ingress',
  'namespace',
  'labels',
  'disableResourceNameHashes',
];

/**
 * A chart that makes an Istio ambient mesh deny-by-default: every workload (through ztunnel) and
 * every waypoint refuses what no ALLOW policy matches, and the ingress gateway accepts external
 * traffic from the configured address ranges.
 *
 * Compose it with the ALLOW policies of your platform: they open exactly the traffic it needs.
 */
export class HardenedMesh extends Chart {
  /** The mesh-wide allow-nothing policy for ztunnel, when `hardenedMode` is on. */
  public readonly ztunnelAllowNothing?: ZtunnelAllowNothing;

  /** The allow-nothing policy for waypoints, when `hardenedMode` is on. */
  public readonly waypointAllowNothing?: WaypointAllowNothing;

  /** The external-traffic policy of the ingress gateway, unless `ingress` is `false`. */
  public readonly ingressExternalTraffic?: IngressExternalTraffic;

  constructor(scope: Construct, id: string, props?: HardenedMeshProps) {
    super(scope, id, isPlainObject(props) ? props : {});

    const given = checkProps(this, () => checkPropsObject('props', props, HARDENED_MESH_PROPS));
    const hardenedMode = withDefault(given.hardenedMode, true);
    if (typeof hardenedMode !== 'boolean') {
      throw new InvalidValueError(
        'hardenedMode',
        `must be true or false, got ${quote(hardenedMode)}`,
        this.node.path,
      );
    }
    const ingress = withDefault(given.ingress, {});
    if (ingress !== false && !isPlainObject(ingress)) {
      throw new InvalidValueError(
        'ingress',
        `must be an object of ingress props, or false for no ingress policy, got ${quote(ingress)}`,
        this.node.path,
      );
    }
    const rootNamespace = withDefault(given.rootNamespace, DEFAULT_ROOT_NAMESPACE);
    const istioApp = withDefault(given.istioApp, DEFAULT_ISTIO_APP);

    if (hardenedMode) {
      this.ztunnelAllowNothing = new ZtunnelAllowNothing(this, 'ztunnel-allow-nothing', {
        rootNamespace,
        istioApp,
      });
      this.waypointAllowNothing = new WaypointAllowNothing(this, 'waypoint-allow-nothing', {
        rootNamespace,
        istioApp,
        waypointGatewayClass: withDefault(
          given.waypointGatewayClass,
          DEFAULT_WAYPOINT_GATEWAY_CLASS,
        ),
      });
    }

    if (ingress !== false) {
      try {
        this.ingressExternalTraffic = new IngressExternalTraffic(
          this,
          'ingress-external-traffic',
          ingress,
        );
      } catch (error) {
        // Report the field as the user wrote it on this chart, not as the inner construct names it.
        throw error instanceof InvalidValueError ? error.withFieldPrefix('ingress.') : error;
      }
    }
  }
}
