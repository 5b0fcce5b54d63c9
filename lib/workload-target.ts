import type * as kplus from 'cdk8s-plus-28';
import { InvalidValueError, quote, validateNamespace } from './names';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Checks a label selector as a policy `selector.matchLabels`: at least one label, valid keys and
 * values, no wildcard. An empty selector is refused: ztunnel attaches it to nothing while a
 * sidecar would apply it to the whole namespace.
 */
export function validateMatchLabels(field: string, labels: unknown): Record<string, string> {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new InvalidValueError(
      field,
      `must be a map of label keys to values, got ${quote(labels)}`,
    );
  }
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length === 0) {
    throw new InvalidValueError(
      field,
      'is empty: an empty selector selects nothing at ztunnel (and the whole namespace in ' +
        'sidecar mode); give at least one label, or use WorkloadTarget.namespace() to target ' +
        'every workload of the namespace on purpose',
    );
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    if (
      !LABEL_NAME.test(name) ||
      (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))
    ) {
      throw new InvalidValueError(
        field,
        `has the label key ${quote(key)}, which is not a Kubernetes label key: ` +
          'an optional DNS-subdomain prefix and "/", then up to 63 letters, digits, "-", "_" ' +
          'or ".", starting and ending with a letter or digit (no "*")',
      );
    }
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw new InvalidValueError(
        field,
        `has ${quote(value)} for label ${quote(key)}, which is not a Kubernetes label value: ` +
          'up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or ' +
          'digit (no "*": Istio matches label values exactly)',
      );
    }
    result[key] = value;
  }
  return result;
}

/** What a {@link WorkloadTarget} resolves to when the policy is rendered. */
export interface ResolvedWorkloadTarget {
  /** The namespace of the policy. */
  readonly namespace: string;
  /** The labels of the selected pods; absent for a namespace-wide policy. */
  readonly matchLabels?: Record<string, string>;
}

/**
 * The pods a ztunnel (L4) policy applies to: the pods of one namespace that carry some labels,
 * or every pod of a namespace. Built only through the static factories.
 *
 * @see https://istio.io/latest/docs/reference/config/type/workload-selector/
 */
export class WorkloadTarget {
  /** The pods of `namespace` that carry every label of `matchLabels`. */
  public static selector(namespace: string, matchLabels: Record<string, string>): WorkloadTarget {
    const ns = validateNamespace('WorkloadTarget.selector namespace', namespace);
    const labels = validateMatchLabels('WorkloadTarget.selector matchLabels', matchLabels);
    return new WorkloadTarget(
      ns,
      false,
      `WorkloadTarget.selector(${quote(ns)}, ${quote(labels)})`,
      () => ({
        namespace: ns,
        matchLabels: labels,
      }),
    );
  }

  /**
   * Every ambient pod of `namespace`. The root namespace is refused by the constructs: there a
   * policy without selector applies to every workload of the mesh.
   */
  public static namespace(namespace: string): WorkloadTarget {
    const ns = validateNamespace('WorkloadTarget.namespace', namespace);
    return new WorkloadTarget(ns, true, `WorkloadTarget.namespace(${quote(ns)})`, () => ({
      namespace: ns,
    }));
  }

  /**
   * The pods of a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job), selected by its
   * `matchLabels` as they are at synth, so labels selected after this call count too. A workload
   * that selects with match expressions is refused, because a policy selector can only match
   * labels and dropping the expressions would select more pods.
   */
  public static fromDeployment(workload: kplus.Workload): WorkloadTarget {
    const field = `WorkloadTarget.fromDeployment(${workload.node.path})`;
    const namespace = workload.metadata.namespace;
    if (!namespace) {
      throw new InvalidValueError(
        field,
        `has no namespace: set metadata.namespace on ${quote(workload.name)} or the namespace of its chart`,
      );
    }
    validateNamespace(field, namespace);
    return new WorkloadTarget(namespace, false, field, () => {
      if (workload.matchExpressions.length > 0) {
        throw new InvalidValueError(
          field,
          `selects its pods with match expressions ${quote(workload.matchExpressions)}, which a ` +
            'policy selector cannot express; select by labels only',
        );
      }
      return {
        namespace,
        matchLabels: validateMatchLabels(`${field} matchLabels`, workload.matchLabels),
      };
    });
  }

  private constructor(
    /** The namespace the policy goes to. */
    public readonly namespace: string,
    /** Whether the target is every pod of the namespace (a policy without selector). */
    public readonly namespaceWide: boolean,
    /** How the target was built, for error messages. */
    public readonly description: string,
    private readonly resolver: () => ResolvedWorkloadTarget,
  ) {}

  /** Resolves the target; throws an `InvalidValueError` if it cannot select pods safely. */
  public resolve(): ResolvedWorkloadTarget {
    return this.resolver();
  }

  /** How the target was built. */
  public toString(): string {
    return this.description;
  }
}
