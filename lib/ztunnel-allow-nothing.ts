import { Construct } from 'constructs';
import { AuthorizationPolicy } from '../imports/authorizationpolicy-security.istio.io';
import { DEFAULT_ISTIO_APP, DEFAULT_ROOT_NAMESPACE } from './defaults';
import { checkProps } from './errors';
import { requireUniqueObjectNames } from './unique-names';
import { composeName, requireString, validateNamespace } from './names';
import { checkPropsObject, withDefault } from './props';

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

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props?: ZtunnelAllowNothingProps) {
    super(scope, id);

    const given = checkProps(this, () =>
      checkPropsObject('props', props, ['rootNamespace', 'istioApp']),
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
  }
}
