import { Construct } from 'constructs';
import { AuthorizationPolicy } from '../imports/authorizationpolicy-security.istio.io';
import { DEFAULT_ISTIO_APP, DEFAULT_ROOT_NAMESPACE } from './defaults';
import { applyDryRun } from './dry-run';
import { checkProps } from './errors';
import { declareLockdown, declareRootNamespace } from './mesh-registry';
import { requireUniqueObjectNames } from './unique-names';
import { composeName, requireString, validateNamespace } from './names';
import { checkPropsObject, withDefault } from './props';
import {
  applySyncWave,
  DEFAULT_ALLOW_NOTHING_SYNC_WAVE,
  SyncWave,
  validateSyncWave,
} from './sync-waves';

/** Props of {@link ZtunnelAllowNothing}. */
export interface ZtunnelAllowNothingProps {
  /**
   * Istio's root namespace (`meshConfig.rootNamespace`). A policy without selector in this
   * namespace applies to every ambient workload of the mesh.
   *
   * @default 'istio-system'
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
   */
  readonly rootNamespace?: string;

  /**
   * Prefix of the policy name: `<istioApp>-<rootNamespace>-policy-global-allow-nothing-ztunnel`.
   *
   * @default 'istio-k8s'
   */
  readonly istioApp?: string;

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
 * A mesh-wide ALLOW policy with no rules, enforced by ztunnel on every ambient workload.
 *
 * An ALLOW policy that matches nothing makes every workload it applies to deny all inbound
 * traffic that no other ALLOW policy matches. Unlike a DENY-all policy, it can be opened: any
 * ALLOW policy that matches a request lets it through. Policies with `targetRefs` never reach
 * ztunnel, so this one carries no target; waypoints are covered by {@link WaypointAllowNothing}.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l4-policy/
 */
export class ZtunnelAllowNothing extends Construct {
  /** The policy's name. */
  public readonly name: string;

  /** The policy's namespace: the root namespace. */
  public readonly namespace: string;

  /** Whether the policy is rendered as dry-run (see the `dryRun` prop for what that means). */
  public readonly dryRun: boolean;

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props?: ZtunnelAllowNothingProps) {
    super(scope, id);

    const given = checkProps(this, () =>
      checkPropsObject('props', props, ['rootNamespace', 'istioApp', 'dryRun', 'syncWave']),
    );
    this.namespace = checkProps(this, () =>
      validateNamespace('rootNamespace', withDefault(given.rootNamespace, DEFAULT_ROOT_NAMESPACE)),
    );
    this.name = checkProps(this, () =>
      composeName('istioApp', [
        requireString('istioApp', withDefault(given.istioApp, DEFAULT_ISTIO_APP)),
        this.namespace,
        'policy-global-allow-nothing-ztunnel',
      ]),
    );

    requireUniqueObjectNames(this);
    this.policy = new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {},
    });
    this.dryRun = checkProps(this, () => applyDryRun('dryRun', this.policy, given.dryRun));
    const syncWave = checkProps(this, () =>
      validateSyncWave('syncWave', withDefault(given.syncWave, DEFAULT_ALLOW_NOTHING_SYNC_WAVE)),
    );
    applySyncWave(this.policy, syncWave);
    declareLockdown(this, syncWave);
    declareRootNamespace(this, this.namespace);
  }
}
