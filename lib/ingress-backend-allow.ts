import { Construct } from 'constructs';
import { checkProps } from './errors';
import { checkPropsObject } from './props';
import { validateNamespace } from './names';
import { IngressGatewaySourceOptions, Source } from './source';
import { SyncWave } from './sync-waves';
import { WorkloadAllow } from './workload-allow';
import { WorkloadTarget } from './workload-target';

/** Props of {@link IngressBackendAllow}. */
export interface IngressBackendAllowProps extends IngressGatewaySourceOptions {
  /** Name of the ingress Gateway (Gateway API). */
  readonly gateway: string;

  /** Namespace of the ingress Gateway. */
  readonly gatewayNamespace: string;

  /** The backend pods the gateway routes to. */
  readonly target: WorkloadTarget;

  /**
   * The backend's container ports the gateway connects to.
   *
   * @default - every port
   */
  readonly ports?: readonly number[];

  /**
   * Name of the AuthorizationPolicy.
   *
   * @default - a unique name derived from the construct path
   */
  readonly name?: string;

  /**
   * The mesh's trust domain.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * Argo CD sync wave, or `false` for none.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

/**
 * Lets an ingress gateway reach a backend: an L4 ALLOW from the gateway's identity (service
 * account `<gateway>-istio` for class `istio`) on the backend pods, enforced by ztunnel.
 *
 * An Istio ingress gateway sends straight to the backend pods, not through the backend's
 * waypoint, unless the backend's Service is labelled `istio.io/ingress-use-waypoint: "true"`;
 * in that case open the request at the waypoint with a {@link ServiceAllow} from
 * `Source.ingressGateway(...)` instead.
 */
export class IngressBackendAllow extends Construct {
  /** The L4 policy. */
  public readonly allow: WorkloadAllow;

  constructor(scope: Construct, id: string, props: IngressBackendAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, [
        'gateway',
        'gatewayNamespace',
        'target',
        'ports',
        'name',
        'trustDomain',
        'syncWave',
        'gatewayClass',
        'serviceAccount',
      ]),
    );

    const source = checkProps(this, () =>
      Source.ingressGateway(
        validateNamespace('gatewayNamespace', props?.gatewayNamespace),
        props.gateway,
        props,
      ),
    );
    this.allow = new WorkloadAllow(this, 'Default', {
      target: props.target,
      name: props.name,
      trustDomain: props.trustDomain,
      syncWave: props.syncWave,
      rules: [{ from: [source], ...(props.ports ? { ports: props.ports } : {}) }],
    });
  }
}
