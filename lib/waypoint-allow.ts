import { Construct } from 'constructs';
import { DEFAULT_WAYPOINT_NAME } from './defaults';
import { checkProps } from './errors';
import { checkPropsObject, withDefault } from './props';
import {
  composeName,
  InvalidValueError,
  quote,
  validateNamespace,
  validateObjectName,
} from './names';
import { Source } from './source';
import { SyncWave } from './sync-waves';
import { WorkloadAllow } from './workload-allow';
import { WorkloadTarget } from './workload-target';

/** Props of {@link WaypointAllow}. */
export interface WaypointAllowProps {
  /** Namespace of the waypoint Gateway. */
  readonly namespace: string;

  /**
   * Name of the waypoint Gateway.
   *
   * @default 'waypoint'
   */
  readonly waypoint?: string;

  /**
   * The service account the waypoint's pods run as.
   *
   * @default - the waypoint's name, as Istio names it for class `istio-waypoint`
   */
  readonly serviceAccount?: string;

  /**
   * The workloads that use the waypoint (through their namespace's or their Services'
   * `istio.io/use-waypoint` label).
   *
   * @default - every workload of the waypoint's namespace
   */
  readonly targets?: readonly WorkloadTarget[];

  /**
   * The mesh's trust domain (`meshConfig.trustDomain`).
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * Istio's root namespace.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Argo CD sync wave of the policies, or `false` for none.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

/**
 * The L4 ALLOW that lets a waypoint reach the workloads it serves, which istiod writes itself only
 * when `PILOT_AUTO_ALLOW_WAYPOINT_POLICY` is on (off by default).
 *
 * Traffic that went through a waypoint reaches the destination ztunnel with the waypoint's
 * identity (`<trust domain>/ns/<ns>/sa/<waypoint>`), so under a mesh-wide allow-nothing the
 * waypoint is refused unless this policy exists. It opens nothing for the clients themselves:
 * the waypoint still enforces its own allow-nothing and the {@link ServiceAllow} policies.
 * Emitting it while the auto-allow policy is on is harmless (the two match the same identity).
 *
 * One policy per target, named `allow-from-waypoint-<waypoint ns>-<waypoint>` (with `-<index>`
 * when there are several targets), in the target's namespace.
 */
export class WaypointAllow extends Construct {
  /** The L4 policies, one per target. */
  public readonly policies: readonly WorkloadAllow[];

  constructor(scope: Construct, id: string, props: WaypointAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, [
        'namespace',
        'waypoint',
        'serviceAccount',
        'targets',
        'trustDomain',
        'rootNamespace',
        'syncWave',
      ]),
    );

    const namespace = checkProps(this, () => validateNamespace('namespace', props?.namespace));
    const waypoint = checkProps(this, () =>
      validateObjectName('waypoint', withDefault(props.waypoint, DEFAULT_WAYPOINT_NAME)),
    );
    const source = checkProps(this, () =>
      Source.waypoint(namespace, waypoint, props.serviceAccount),
    );
    const targets = withDefault(props.targets, [WorkloadTarget.namespace(namespace)]);
    checkProps(this, () => {
      if (!Array.isArray(targets) || targets.length === 0) {
        throw new InvalidValueError(
          'targets',
          `is ${quote(targets)}: give at least one WorkloadTarget, or leave targets out for ` +
            'every workload of the waypoint namespace',
        );
      }
    });

    this.policies = targets.map((target, index) => {
      const suffix = targets.length > 1 ? [String(index)] : [];
      const name = checkProps(this, () =>
        composeName('waypoint', ['allow-from-waypoint', namespace, waypoint, ...suffix]),
      );
      return new WorkloadAllow(this, targets.length > 1 ? `target-${index}` : 'target', {
        target,
        name,
        trustDomain: props.trustDomain,
        rootNamespace: props.rootNamespace,
        syncWave: props.syncWave,
        rules: [{ from: [source] }],
      });
    });
  }
}
