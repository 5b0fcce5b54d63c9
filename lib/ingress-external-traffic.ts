import { Construct } from 'constructs';
import {
  AuthorizationPolicy,
  AuthorizationPolicySpecAction,
} from '../imports/authorizationpolicy-security.istio.io';
import {
  DEFAULT_EXTERNAL_TRAFFIC_CIDRS,
  DEFAULT_INGRESS_APP,
  DEFAULT_ROOT_NAMESPACE,
  GATEWAY_API_GROUP,
} from './defaults';
import { checkProps } from './errors';
import { declareOpening } from './mesh-registry';
import { requireUniqueObjectNames } from './unique-names';
import { IpBlocksInput, parseIpBlocks } from './ip-blocks';
import {
  composeName,
  InvalidValueError,
  quote,
  validateNamespace,
  validateObjectName,
} from './names';
import { checkPropsObject, withDefault } from './props';
import { Source } from './source';
import { applySyncWave, DEFAULT_ALLOW_SYNC_WAVE, SyncWave, validateSyncWave } from './sync-waves';
import { WorkloadAllow } from './workload-allow';
import { WorkloadTarget } from './workload-target';

/** The label Istio puts on the pods of a Gateway API gateway, with the Gateway's name. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** Props of {@link IngressExternalTraffic}. */
export interface IngressExternalTrafficProps {
  /**
   * Name of the ingress application: the policy is named `<app>-<namespace>-external-traffic`.
   *
   * @default 'istio-ingress-k8s'
   */
  readonly app?: string;

  /**
   * Namespace of the ingress Gateway, where the policy is created.
   *
   * @default 'istio-system'
   */
  readonly namespace?: string;

  /**
   * Name of the Gateway API `Gateway` whose Envoy enforces the policy.
   *
   * @default - the value of `app`
   */
  readonly gateway?: string;

  /**
   * Source addresses allowed to reach the gateway: a list, or a comma-separated string as the
   * istio-ingress-k8s charm's `external-traffic-policy-cidrs` option takes it. Each entry is an
   * IPv4 or IPv6 address or CIDR; blank entries are skipped and an empty result is refused,
   * because `ipBlocks: []` would match every source.
   *
   * The gateway sees the client address only when its Service has
   * `externalTrafficPolicy: Local`; otherwise kube-proxy may replace it with a node address.
   *
   * @default ['0.0.0.0/0']
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   */
  readonly externalTrafficCidrs?: IpBlocksInput;

  /**
   * Whether the gateway's namespace is enrolled in ambient (`istio.io/dataplane-mode: ambient`).
   * Istio then captures the gateway's own pods with ztunnel, which enforces the mesh-wide
   * allow-nothing before the gateway's Envoy sees a request, so external traffic is denied
   * there. With `true`, a second, L4-only ALLOW is emitted for ztunnel: selector
   * `gateway.networking.k8s.io/gateway-name: <gateway>` in the gateway's namespace, the same
   * `ipBlocks`, named `<app>-<namespace>-external-traffic-ztunnel`. Leave it `false` for a
   * gateway in a namespace that is not enrolled (such as the usual `istio-system`).
   *
   * In the root namespace, that selector matches the pods of every Gateway of that name in every
   * namespace.
   *
   * @default false
   */
  readonly enrolledInAmbient?: boolean;

  /**
   * Argo CD sync wave of the policies, or `false` for none. The default applies them before the
   * allow-nothing policies (wave 1) and prunes them after.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

/**
 * An ALLOW policy that lets external clients reach an ingress Gateway.
 *
 * A Gateway API ingress gateway honours the root-namespace allow-nothing policy, so in a hardened
 * mesh it refuses all traffic until a policy targeting it allows some. A gateway in a namespace
 * enrolled in ambient also needs an L4 ALLOW at ztunnel: see `enrolledInAmbient`.
 */
export class IngressExternalTraffic extends Construct {
  /** The policy's name. */
  public readonly name: string;

  /** The policy's namespace: the Gateway's namespace. */
  public readonly namespace: string;

  /** Name of the Gateway the policy targets. */
  public readonly gateway: string;

  /** The source address ranges the policy allows, as written to `ipBlocks`. */
  public readonly ipBlocks: readonly string[];

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  /** The L4 ALLOW on the gateway's pods for ztunnel, when `enrolledInAmbient` is on. */
  public readonly ztunnelAllow?: WorkloadAllow;

  constructor(scope: Construct, id: string, props?: IngressExternalTrafficProps) {
    super(scope, id);

    const given = checkProps(this, () =>
      checkPropsObject('props', props, [
        'app',
        'namespace',
        'gateway',
        'externalTrafficCidrs',
        'enrolledInAmbient',
        'syncWave',
      ]),
    );
    // The app is checked on its own first: it is also the default Gateway name, and a bad value
    // must be reported as `app`, the prop the user wrote.
    const app = checkProps(this, () =>
      validateObjectName('app', withDefault(given.app, DEFAULT_INGRESS_APP)),
    );
    this.namespace = checkProps(this, () =>
      validateNamespace('namespace', withDefault(given.namespace, DEFAULT_ROOT_NAMESPACE)),
    );
    this.gateway = checkProps(this, () =>
      validateObjectName('gateway', withDefault(given.gateway, app)),
    );
    this.ipBlocks = checkProps(this, () =>
      Object.freeze(
        parseIpBlocks(
          'externalTrafficCidrs',
          withDefault(given.externalTrafficCidrs, DEFAULT_EXTERNAL_TRAFFIC_CIDRS),
        ),
      ),
    );
    this.name = checkProps(this, () =>
      composeName('app', [app, this.namespace, 'external-traffic']),
    );

    requireUniqueObjectNames(this);
    this.policy = new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        action: AuthorizationPolicySpecAction.ALLOW,
        targetRefs: [{ kind: 'Gateway', group: GATEWAY_API_GROUP, name: this.gateway }],
        rules: [{ from: [{ source: { ipBlocks: [...this.ipBlocks] } }] }],
      },
    });
    const syncWave = checkProps(this, () =>
      validateSyncWave('syncWave', withDefault(given.syncWave, DEFAULT_ALLOW_SYNC_WAVE)),
    );
    applySyncWave(this.policy, syncWave);
    declareOpening(this, syncWave);

    const enrolled = withDefault(given.enrolledInAmbient, false);
    checkProps(this, () => {
      if (typeof enrolled !== 'boolean') {
        throw new InvalidValueError(
          'enrolledInAmbient',
          `must be true or false, got ${quote(enrolled)}`,
        );
      }
    });
    if (enrolled) {
      checkProps(this, () => {
        // The mesh's real root namespace is checked again at synth by the WorkloadAllow below.
        if (this.namespace === DEFAULT_ROOT_NAMESPACE) {
          throw new InvalidValueError(
            'enrolledInAmbient',
            `is true, but namespace ${quote(this.namespace)} is Istio's root namespace, where ` +
              "the gateway's ztunnel ALLOW would match the pods of that label in every namespace; " +
              'run an enrolled gateway in a namespace of its own',
          );
        }
      });
      const name = checkProps(this, () =>
        composeName('app', [app, this.namespace, 'external-traffic-ztunnel']),
      );
      this.ztunnelAllow = new WorkloadAllow(this, 'ztunnel', {
        name,
        target: WorkloadTarget.selector(this.namespace, { [GATEWAY_NAME_LABEL]: this.gateway }),
        rules: [{ from: [Source.ipBlocks(this.ipBlocks)] }],
        syncWave,
      });
    }
  }
}
