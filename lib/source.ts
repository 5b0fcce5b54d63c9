import type * as kplus from 'cdk8s-plus-28';
import { HTTP_ONLY_SOURCE_KEYS } from './allow-policy-check';
import { IpBlocksInput, parseIpBlocks } from './ip-blocks';
import { InvalidValueError, quote, validateNamespace, validateObjectName } from './names';
import { withDefault } from './props';
import { checkWildcard, parsePrincipal, serviceAccountPrincipal } from './principals';

/** The `source` field of an AuthorizationPolicy rule that a {@link Source} fills. */
export type SourceField =
  | 'principals'
  | 'namespaces'
  | 'ipBlocks'
  | 'requestPrincipals'
  | 'remoteIpBlocks'
  | 'trustDomains';

/** How a source is rendered once the trust domain of the policy is known. */
type Renderer = (trustDomain: string) => readonly string[];

/** Options of {@link Source.ingressGateway}. */
export interface IngressGatewaySourceOptions {
  /**
   * The GatewayClass of the Gateway. Istio runs a class `istio` gateway as the service account
   * `<gateway>-istio`; for another class, give `serviceAccount`.
   *
   * @default 'istio'
   */
  readonly gatewayClass?: string;

  /**
   * The service account the gateway's pods run as.
   *
   * @default - `<gateway>-istio` for class `istio`; required for any other class
   */
  readonly serviceAccount?: string;
}

/**
 * Who may send traffic: one identity, namespace or address range, built only through the static
 * factories so that a mistyped string cannot become a source that matches something else.
 *
 * A rule's sources are alternatives: a request from any of them is allowed. Sources of the same
 * kind are merged into one `from` entry (`principals: [a, b]`), each kind into its own entry, so a
 * principal and a namespace never end up in one entry, where Istio would require both.
 *
 * Not expressible on purpose: `notPrincipals` and the other negative fields (an ALLOW with
 * exceptions is better written as two narrower ALLOWs), and the `serviceAccounts` field: service
 * accounts are rendered as exact principals, which every ambient release understands, so the
 * typed API can never mix `serviceAccounts` with `principals` or `namespaces` in one entry (which
 * the CRD refuses).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export class Source {
  /**
   * Workloads running as the given principals (`<trust domain>/ns/<ns>/sa/<sa>`). A leading
   * `spiffe://` is removed (Istio adds it); `*` is allowed as a whole value, a prefix or a suffix
   * only.
   */
  public static principal(...principals: string[]): Source {
    const values = principals.map((principal, index) =>
      parsePrincipal(`Source.principal[${index}]`, principal),
    );
    return Source.of('principals', 'Source.principal', values, () => values);
  }

  /**
   * Workloads running as the Kubernetes service account `name` in `namespace`, rendered as the
   * exact principal `<trust domain>/ns/<namespace>/sa/<name>` with the trust domain of the policy.
   */
  public static serviceAccount(namespace: string, name: string): Source {
    const ns = validateNamespace('Source.serviceAccount namespace', namespace);
    const sa = validateObjectName('Source.serviceAccount name', name);
    return new Source('principals', `Source.serviceAccount(${quote(ns)}, ${quote(sa)})`, (td) => [
      serviceAccountPrincipal(td, ns, sa),
    ]);
  }

  /**
   * Every mTLS workload of a namespace. Plaintext (uncaptured) clients carry no identity and
   * never match: open those by address with {@link Source.ipBlocks}.
   */
  public static namespace(...namespaces: string[]): Source {
    const values = namespaces.map((namespace, index) =>
      validateNamespace(`Source.namespace[${index}]`, namespace),
    );
    return Source.of('namespaces', 'Source.namespace', values, () => values);
  }

  /**
   * Connections from these addresses or CIDRs (a list, or one comma-separated string). At
   * ztunnel this is the immediate peer: the client pod, or the waypoint or gateway in between.
   */
  public static ipBlocks(blocks: IpBlocksInput): Source {
    const values = parseIpBlocks('Source.ipBlocks', blocks);
    return Source.of('ipBlocks', 'Source.ipBlocks', values, () => values);
  }

  /** Pods running as a cdk8s-plus service account (created in your chart or imported). */
  public static fromServiceAccount(serviceAccount: kplus.IServiceAccount): Source {
    const subject = serviceAccount.toSubjectConfiguration();
    const field = `Source.fromServiceAccount(${serviceAccount.node.path})`;
    if (!subject.namespace) {
      throw new InvalidValueError(
        field,
        `has no namespace, so its principal is unknown: set metadata.namespace on ${quote(subject.name)}, ` +
          'the namespace of its chart, or namespaceName when importing it',
      );
    }
    return Source.serviceAccount(subject.namespace, subject.name);
  }

  /**
   * The pods of a cdk8s-plus workload (Deployment, StatefulSet, Pod, ...), by the service account
   * they run as. A workload without an explicit service account is refused: its pods would run
   * as `default`, an identity every other such pod of the namespace shares.
   */
  public static fromWorkload(workload: kplus.AbstractPod): Source {
    const field = `Source.fromWorkload(${workload.node.path})`;
    const namespace = workload.metadata.namespace;
    if (!namespace) {
      throw new InvalidValueError(
        field,
        `has no namespace, so its principal is unknown: set metadata.namespace on ${quote(workload.name)} ` +
          'or the namespace of its chart',
      );
    }
    if (!workload.serviceAccount) {
      throw new InvalidValueError(
        field,
        `has no service account, so it has no identity of its own: give ${quote(workload.name)} ` +
          "a serviceAccount; its pods would otherwise run as 'default', shared by every such pod",
      );
    }
    const saNamespace = workload.serviceAccount.toSubjectConfiguration().namespace;
    if (saNamespace && saNamespace !== namespace) {
      throw new InvalidValueError(
        field,
        `runs as service account ${quote(workload.serviceAccount.name)} of namespace ` +
          `${quote(saNamespace)}, but pods can only use a service account of their own ` +
          `namespace ${quote(namespace)}`,
      );
    }
    return Source.serviceAccount(namespace, workload.serviceAccount.name);
  }

  /**
   * The pods of a Gateway API ingress gateway, by the service account Istio runs them as:
   * `<gateway>-istio` for class `istio`.
   */
  public static ingressGateway(
    namespace: string,
    gateway: string,
    options: IngressGatewaySourceOptions = {},
  ): Source {
    const gatewayClass = withDefault(options.gatewayClass, 'istio');
    validateObjectName('Source.ingressGateway gateway', gateway);
    if (options.serviceAccount === undefined && gatewayClass !== 'istio') {
      throw new InvalidValueError(
        'Source.ingressGateway serviceAccount',
        `is required for gateway class ${quote(gatewayClass)}: only class "istio" has a known ` +
          'service account name (<gateway>-istio)',
      );
    }
    return Source.serviceAccount(
      namespace,
      withDefault(options.serviceAccount, `${gateway}-istio`),
    );
  }

  /**
   * The pods of a waypoint: the identity a destination ztunnel sees for traffic that went
   * through the waypoint. Istio runs a class `istio-waypoint` Gateway as a service account named
   * after the Gateway.
   */
  public static waypoint(namespace: string, name: string, serviceAccount?: string): Source {
    validateObjectName('Source.waypoint name', name);
    return Source.serviceAccount(namespace, withDefault(serviceAccount, name));
  }

  /**
   * Requests carrying a JWT whose `<iss>/<sub>` matches. Only a waypoint or gateway can check
   * it: use it in a {@link ServiceAllow}.
   */
  public static requestPrincipal(...requestPrincipals: string[]): Source {
    const values = requestPrincipals.map((value, index) => {
      const field = `Source.requestPrincipal[${index}]`;
      if (typeof value !== 'string' || value.trim() === '') {
        throw new InvalidValueError(
          field,
          `must be a non-empty "<iss>/<sub>", got ${quote(value)}`,
        );
      }
      checkWildcard(field, value, value);
      return value;
    });
    return Source.of('requestPrincipals', 'Source.requestPrincipal', values, () => values);
  }

  /**
   * Requests whose original client address (from X-Forwarded-For or PROXY protocol) is in these
   * ranges. Only a waypoint or gateway can check it: use it in a {@link ServiceAllow}.
   */
  public static remoteIpBlocks(blocks: IpBlocksInput): Source {
    const values = parseIpBlocks('Source.remoteIpBlocks', blocks);
    return Source.of('remoteIpBlocks', 'Source.remoteIpBlocks', values, () => values);
  }

  /**
   * Any workload of these trust domains. Enforced by Envoy from Istio 1.30.2 only; ztunnel
   * ignores the field, so it is refused in a {@link WorkloadAllow}.
   */
  public static trustDomain(...trustDomains: string[]): Source {
    const values = trustDomains.map((value, index) => {
      const field = `Source.trustDomain[${index}]`;
      if (typeof value !== 'string' || value.trim() === '' || /[\s/]/.test(value)) {
        throw new InvalidValueError(
          field,
          `must be a trust domain such as "cluster.local", got ${quote(value)}`,
        );
      }
      checkWildcard(field, value, value);
      return value;
    });
    return Source.of('trustDomains', 'Source.trustDomain', values, () => values);
  }

  private static of(
    field: SourceField,
    factory: string,
    values: readonly string[],
    render: Renderer,
  ): Source {
    if (values.length === 0) {
      throw new InvalidValueError(
        factory,
        'was given no value: a source that names nothing would be rendered as an empty match, ' +
          'which matches every source; give at least one',
      );
    }
    return new Source(field, `${factory}(${values.map((v) => quote(v)).join(', ')})`, render);
  }

  private constructor(
    /** The AuthorizationPolicy `source` field this source fills. */
    public readonly field: SourceField,
    /** How the source was built, for error messages. */
    public readonly description: string,
    private readonly render: Renderer,
  ) {}

  /**
   * Whether only a waypoint or gateway (not ztunnel) can enforce this source. In an ALLOW rule
   * enforced by ztunnel, istiod drops the whole rule when such a field appears.
   */
  public get httpOnly(): boolean {
    return HTTP_ONLY_SOURCE_KEYS.includes(this.field);
  }

  /** The values written to {@link field}, given the trust domain of the policy. */
  public values(trustDomain: string): readonly string[] {
    return this.render(trustDomain);
  }

  /** How the source was built. */
  public toString(): string {
    return this.description;
  }
}

/** The order of the `from` entries of a rendered rule. */
const FIELD_ORDER: readonly SourceField[] = [
  'principals',
  'namespaces',
  'ipBlocks',
  'requestPrincipals',
  'remoteIpBlocks',
  'trustDomains',
];

/** A rendered `from` entry. */
export interface RenderedSource {
  readonly source: Partial<Record<SourceField, string[]>>;
}

/**
 * Renders alternative sources as `from` entries: one entry per field, values merged and kept once
 * in the order given. Never returns an empty list or an empty entry (both would match every
 * source); callers refuse an empty `sources` before calling.
 */
export function renderSources(sources: readonly Source[], trustDomain: string): RenderedSource[] {
  const byField = new Map<SourceField, string[]>();
  for (const source of sources) {
    const values = byField.get(source.field) ?? [];
    for (const value of source.values(trustDomain)) {
      if (!values.includes(value)) {
        values.push(value);
      }
    }
    byField.set(source.field, values);
  }
  return FIELD_ORDER.filter((field) => (byField.get(field) ?? []).length > 0).map((field) => ({
    source: { [field]: byField.get(field)! },
  }));
}
