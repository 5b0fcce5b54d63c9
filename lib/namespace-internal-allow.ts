import { Construct } from 'constructs';
import { checkProps } from './errors';
import { checkPropsObject, withDefault } from './props';
import { validateNamespace, validateObjectName } from './names';
import { ServiceAllow } from './service-allow';
import { ServiceTarget } from './service-target';
import { Source } from './source';
import { SyncWave } from './sync-waves';
import { WorkloadAllow } from './workload-allow';
import { WorkloadTarget } from './workload-target';

/** Props of {@link NamespaceInternalAllow}. */
export interface NamespaceInternalAllowProps {
  /** The namespace whose workloads may talk to each other. */
  readonly namespace: string;

  /**
   * The waypoint that serves the namespace, if any. Its allow-nothing refuses the namespace's
   * own requests too, so a waypoint ALLOW from the namespace is added on it. The waypoint must
   * be in this namespace: its identity then belongs to the namespace and passes the L4 ALLOW.
   * The waypoint ALLOW covers every service the waypoint serves, including services of other
   * namespaces that use it.
   *
   * @default - no waypoint: the L4 ALLOW only
   */
  readonly waypoint?: string;

  /**
   * Prefix of the policy names: `<name>` for the L4 policy, `<name>-waypoint` for the waypoint's.
   *
   * @default - `allow-same-namespace-<namespace>`
   */
  readonly name?: string;

  /**
   * Argo CD sync wave, or `false` for none.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

/**
 * Lets every mTLS workload of a namespace reach every workload of the same namespace: a
 * namespace-wide L4 ALLOW from the namespace for ztunnel, and with `waypoint`, the matching ALLOW
 * on the namespace's waypoint. Clients outside the mesh (plaintext) carry no namespace and stay
 * refused.
 */
export class NamespaceInternalAllow extends Construct {
  /** The namespace-wide L4 policy. */
  public readonly allow: WorkloadAllow;

  /** The policy on the waypoint, when `waypoint` is given. */
  public readonly waypointAllow?: ServiceAllow;

  constructor(scope: Construct, id: string, props: NamespaceInternalAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, ['namespace', 'waypoint', 'name', 'syncWave']),
    );

    const namespace = checkProps(this, () => validateNamespace('namespace', props?.namespace));
    const name = checkProps(this, () =>
      validateObjectName('name', withDefault(props.name, `allow-same-namespace-${namespace}`)),
    );
    const from = [Source.namespace(namespace)];

    this.allow = new WorkloadAllow(this, 'Default', {
      target: WorkloadTarget.namespace(namespace),
      name,
      syncWave: props.syncWave,
      rules: [{ from }],
    });
    if (props.waypoint !== undefined) {
      const waypoint = checkProps(this, () => validateObjectName('waypoint', props.waypoint));
      this.waypointAllow = new ServiceAllow(this, 'waypoint', {
        targets: [ServiceTarget.waypoint(namespace, waypoint)],
        name: checkProps(this, () => validateObjectName('name', `${name}-waypoint`)),
        syncWave: props.syncWave,
        rules: [{ from }],
      });
    }
  }
}
