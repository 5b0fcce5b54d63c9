import { Construct } from 'constructs';
import { AuthorizationPolicy } from '../imports/authorizationpolicy-security.istio.io';
import {
  DEFAULT_ISTIO_APP,
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_WAYPOINT_GATEWAY_CLASS,
  GATEWAY_API_GROUP,
} from './defaults';
import { applyDryRun } from './dry-run';
import { checkProps } from './errors';
import { declareLockdown, declareRootNamespace } from './mesh-registry';
import { requireUniqueObjectNames } from './unique-names';
import {
  composeName,
  InvalidValueError,
  quote,
  requireString,
  validateNamespace,
  validateObjectName,
} from './names';
import { checkPropsObject, withDefault } from './props';
import {
  applySyncWave,
  DEFAULT_ALLOW_NOTHING_SYNC_WAVE,
  SyncWave,
  validateSyncWave,
} from './sync-waves';

/** Props of {@link WaypointAllowNothing}. */
export interface WaypointAllowNothingProps {
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`).
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Namespace of the policy. Istio honours a `GatewayClass` target only from the root namespace
   * and ignores the policy anywhere else, so any other value is refused.
   *
   * @default - the root namespace
   */
  readonly namespace?: string;

  /**
   * Prefix of the policy name: `<istioApp>-<rootNamespace>-policy-global-allow-nothing-waypoint`.
   *
   * @default 'istio-k8s'
   */
  readonly istioApp?: string;

  /**
   * The GatewayClass of the waypoints to lock down.
   *
   * @default 'istio-waypoint'
   */
  readonly waypointGatewayClass?: string;

  /**
   * Render the policy with `istio.io/dry-run: "true"`, so that it is evaluated and logged but not
   * enforced, to watch what the lockdown would deny before enabling it. Version caveat for
   * ztunnel: up to Istio 1.25.1 ztunnel ignores the annotation and ENFORCES the policy; 1.25.2 to
   * 1.28 skip dry-run policies entirely (nothing is enforced or logged); 1.29 and later log them
   * only when istiod has `AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true`. Waypoints log
   * dry-run policies in every release.
   *
   * @default false
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/
   */
  readonly dryRun?: boolean;

  /**
   * Argo CD sync wave of the policy, or `false` for none. The default applies the lockdown after
   * the ALLOW policies (wave -1) and the unannotated resources (wave 0), and prunes it first.
   *
   * @default 1
   */
  readonly syncWave?: SyncWave;
}

/**
 * An ALLOW policy with no rules that targets the waypoint GatewayClass, so every waypoint of the
 * mesh denies the requests that no other ALLOW policy matches.
 *
 * Waypoints ignore policies without `targetRefs` (including the root-namespace policy of
 * {@link ZtunnelAllowNothing}); a `GatewayClass` target in the root namespace reaches all of them
 * (Istio 1.25 and later).
 *
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */
export class WaypointAllowNothing extends Construct {
  /** The policy's name. */
  public readonly name: string;

  /** The policy's namespace: the root namespace. */
  public readonly namespace: string;

  /** Whether the policy is rendered as dry-run (see the `dryRun` prop for what that means). */
  public readonly dryRun: boolean;

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props?: WaypointAllowNothingProps) {
    super(scope, id);

    const given = checkProps(this, () =>
      checkPropsObject('props', props, [
        'rootNamespace',
        'namespace',
        'istioApp',
        'waypointGatewayClass',
        'dryRun',
        'syncWave',
      ]),
    );
    const rootNamespace = checkProps(this, () =>
      validateNamespace('rootNamespace', withDefault(given.rootNamespace, DEFAULT_ROOT_NAMESPACE)),
    );
    this.namespace = checkProps(this, () => {
      const namespace = validateNamespace('namespace', withDefault(given.namespace, rootNamespace));
      if (namespace !== rootNamespace) {
        throw new InvalidValueError(
          'namespace',
          `${quote(namespace)} is not the root namespace ${quote(rootNamespace)}: ` +
            'Istio ignores a policy that targets a GatewayClass outside the root namespace, ' +
            'so the waypoints would stay open; leave namespace unset or set it to the root namespace',
        );
      }
      return namespace;
    });
    const gatewayClass = checkProps(this, () =>
      validateObjectName(
        'waypointGatewayClass',
        withDefault(given.waypointGatewayClass, DEFAULT_WAYPOINT_GATEWAY_CLASS),
      ),
    );
    this.name = checkProps(this, () =>
      composeName('istioApp', [
        requireString('istioApp', withDefault(given.istioApp, DEFAULT_ISTIO_APP)),
        this.namespace,
        'policy-global-allow-nothing-waypoint',
      ]),
    );

    requireUniqueObjectNames(this);
    this.policy = new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        targetRefs: [{ kind: 'GatewayClass', group: GATEWAY_API_GROUP, name: gatewayClass }],
      },
    });
    this.dryRun = checkProps(this, () => applyDryRun('dryRun', this.policy, given.dryRun));
    const syncWave = checkProps(this, () =>
      validateSyncWave('syncWave', withDefault(given.syncWave, DEFAULT_ALLOW_NOTHING_SYNC_WAVE)),
    );
    applySyncWave(this.policy, syncWave);
    declareLockdown(this, syncWave);
    declareRootNamespace(this, rootNamespace);
  }
}
