import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DEFAULT_ISTIO_APP,
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_WAYPOINT_GATEWAY_CLASS,
} from './defaults';
import { checkProps } from './errors';
import { IngressExternalTraffic, IngressExternalTrafficProps } from './ingress-external-traffic';
import { InvalidValueError, quote, validateNamespace, validateObjectName } from './names';
import { applyDryRun } from './dry-run';
import { DEFAULT_TRUST_DOMAIN, validateTrustDomain } from './principals';
import { resolveSyncWaves, SyncWaves } from './sync-waves';
import { WaypointAllow, WaypointAllowProps } from './waypoint-allow';
import { checkPropsObject, isPlainObject, withDefault } from './props';
import { WaypointAllowNothing } from './waypoint-allow-nothing';
import { ZtunnelAllowNothing } from './ztunnel-allow-nothing';

/** The ingress gateway part of {@link HardenedMeshProps}; its sync wave is the chart's `allow`. */
export type HardenedMeshIngressProps = Omit<IngressExternalTrafficProps, 'syncWave'>;

/**
 * A waypoint of the mesh and the workloads that use it, for {@link HardenedMeshProps.waypoints}.
 */
export type HardenedMeshWaypointProps = Pick<
  WaypointAllowProps,
  'namespace' | 'waypoint' | 'serviceAccount' | 'targets'
>;

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

  /**
   * The waypoints of the mesh, each with the workloads that use it (by default every workload of
   * the waypoint's namespace, as `istio.io/use-waypoint` on the namespace makes it). Traffic
   * through a waypoint reaches the destination ztunnel with the waypoint's identity, so unless
   * istiod writes the waypoint's ALLOW itself (`autoAllowWaypointPolicy`), this chart emits a
   * {@link WaypointAllow} for each, in hardened mode only: without the lockdown, an ALLOW would
   * itself make those workloads deny everything else.
   *
   * @default - none
   */
  readonly waypoints?: readonly HardenedMeshWaypointProps[];

  /**
   * Whether istiod runs with `PILOT_AUTO_ALLOW_WAYPOINT_POLICY=true` and so lets every waypoint
   * reach the workloads that use it by a policy of its own. Set it to what the cluster uses:
   * with `false` (Istio's default; the istio-k8s charm turns it on) the chart emits those ALLOWs
   * for the `waypoints`. Emitting them while the cluster also does is harmless.
   *
   * @default false
   * @see https://istio.io/latest/docs/reference/commands/pilot-discovery/#envvars
   */
  readonly autoAllowWaypointPolicy?: boolean;

  /**
   * The mesh's trust domain (`meshConfig.trustDomain`), used in the principals this chart writes.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * Argo CD sync waves: the ALLOW policies (ingress, waypoints) in `allow`, the allow-nothing
   * policies in `allowNothing`, which must be higher. Argo CD applies lower waves first and
   * prunes in reverse, so enabling hardening never cuts traffic before its ALLOWs exist, and
   * disabling it removes the lockdown before the ALLOWs. Waves order resources within one Argo CD
   * Application only. `false` writes no annotation.
   *
   * @default { allow: -1, allowNothing: 1 }
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
   */
  readonly syncWaves?: SyncWaves | false;

  /**
   * Render the allow-nothing policies with `istio.io/dry-run: "true"`, to log what the lockdown
   * would deny without enforcing it. Version caveat for ztunnel: up to Istio 1.25.1 ztunnel
   * ignores the annotation and ENFORCES the lockdown; 1.25.2 to 1.28 skip dry-run policies
   * entirely (nothing is enforced or logged); 1.29 and later log them only when istiod has
   * `AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true`. Waypoints log them in every release.
   *
   * @default false
   */
  readonly dryRun?: boolean;
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
  'waypoints',
  'autoAllowWaypointPolicy',
  'trustDomain',
  'syncWaves',
  'dryRun',
];

/**
 * A chart that makes an Istio ambient mesh deny-by-default: every workload (through ztunnel) and
 * every waypoint refuses what no ALLOW policy matches, and the ingress gateway accepts external
 * traffic from the configured address ranges. Waypoints listed in `waypoints` get the L4 ALLOW
 * they need to reach their workloads, unless istiod writes it (`autoAllowWaypointPolicy`).
 *
 * Compose it with the ALLOW policies of your platform ({@link WorkloadAllow}, {@link ServiceAllow}
 * and the common openings): they open exactly the traffic it needs. Every policy carries an Argo
 * CD sync wave that applies the ALLOWs before the lockdown (`syncWaves`).
 */
export class HardenedMesh extends Chart {
  /** The mesh-wide allow-nothing policy for ztunnel, when `hardenedMode` is on. */
  public readonly ztunnelAllowNothing?: ZtunnelAllowNothing;

  /** The allow-nothing policy for waypoints, when `hardenedMode` is on. */
  public readonly waypointAllowNothing?: WaypointAllowNothing;

  /** The external-traffic policy of the ingress gateway, unless `ingress` is `false`. */
  public readonly ingressExternalTraffic?: IngressExternalTraffic;

  /** The waypoint ALLOWs this chart writes (see `waypoints` and `autoAllowWaypointPolicy`). */
  public readonly waypointAllows: readonly WaypointAllow[];

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
    const trustDomain = checkProps(this, () =>
      validateTrustDomain('trustDomain', withDefault(given.trustDomain, DEFAULT_TRUST_DOMAIN)),
    );
    const autoAllowWaypointPolicy = withDefault(given.autoAllowWaypointPolicy, false);
    if (typeof autoAllowWaypointPolicy !== 'boolean') {
      throw new InvalidValueError(
        'autoAllowWaypointPolicy',
        `must be true or false (the PILOT_AUTO_ALLOW_WAYPOINT_POLICY of istiod), got ${quote(autoAllowWaypointPolicy)}`,
        this.node.path,
      );
    }
    const waves = checkProps(this, () => resolveSyncWaves('syncWaves', given.syncWaves));

    if (hardenedMode) {
      this.ztunnelAllowNothing = new ZtunnelAllowNothing(this, 'ztunnel-allow-nothing', {
        rootNamespace,
        istioApp,
        dryRun: given.dryRun,
        syncWave: waves.allowNothing,
      });
      this.waypointAllowNothing = new WaypointAllowNothing(this, 'waypoint-allow-nothing', {
        rootNamespace,
        istioApp,
        waypointGatewayClass: withDefault(
          given.waypointGatewayClass,
          DEFAULT_WAYPOINT_GATEWAY_CLASS,
        ),
        dryRun: given.dryRun,
        syncWave: waves.allowNothing,
      });
    }

    if (ingress !== false) {
      try {
        if ('syncWave' in ingress) {
          throw new InvalidValueError(
            'syncWave',
            'is set by the chart: use its syncWaves.allow instead',
            `${this.node.path}/ingress-external-traffic`,
          );
        }
        this.ingressExternalTraffic = new IngressExternalTraffic(this, 'ingress-external-traffic', {
          ...ingress,
          syncWave: waves.allow,
        });
      } catch (error) {
        // Report the field as the user wrote it on this chart, not as the inner construct names it.
        throw error instanceof InvalidValueError ? error.withFieldPrefix('ingress.') : error;
      }
    }

    const waypoints = withDefault(given.waypoints, []);
    if (!Array.isArray(waypoints)) {
      throw new InvalidValueError(
        'waypoints',
        `must be a list of waypoints, got ${quote(waypoints)}`,
        this.node.path,
      );
    }
    // Every entry is checked, also when the chart emits nothing for it, so that a typo does not
    // wait for the day hardening is turned on.
    waypoints.forEach((waypoint: HardenedMeshWaypointProps, index) => {
      checkProps(this, () => {
        const given = checkPropsObject(`waypoints[${index}]`, waypoint, [
          'namespace',
          'waypoint',
          'serviceAccount',
          'targets',
        ]);
        validateNamespace(`waypoints[${index}].namespace`, given.namespace);
        for (const key of ['waypoint', 'serviceAccount'] as const) {
          if (given[key] !== undefined) {
            validateObjectName(`waypoints[${index}].${key}`, given[key]);
          }
        }
      });
    });
    const emitWaypointAllows = hardenedMode && !autoAllowWaypointPolicy;
    this.waypointAllows = emitWaypointAllows
      ? waypoints.map((waypoint: HardenedMeshWaypointProps, index) => {
          try {
            // The chart sets the trust domain, root namespace and wave: a waypoint may not.
            return new WaypointAllow(this, `waypoint-allow-${index}`, {
              ...waypoint,
              trustDomain,
              rootNamespace,
              syncWave: waves.allow,
            });
          } catch (error) {
            throw error instanceof InvalidValueError
              ? error.withFieldPrefix(`waypoints[${index}].`)
              : error;
          }
        })
      : [];
    if (given.dryRun === true) {
      // A waypoint ALLOW makes its workloads deny whatever else reaches them: while the lockdown
      // only logs, so must the ALLOWs that come with it.
      for (const allow of this.waypointAllows) {
        for (const object of allow.node.findAll()) {
          if (object instanceof ApiObject) {
            applyDryRun('dryRun', object, true);
          }
        }
      }
    }
  }
}
