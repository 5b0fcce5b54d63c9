import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AuthorizationPolicy,
  AuthorizationPolicySpec,
  AuthorizationPolicySpecAction,
  AuthorizationPolicySpecRules,
} from '../imports/authorizationpolicy-security.istio.io';
import {
  checkAllowPolicy,
  renderForCheck,
  HTTP_ONLY_OPERATION_FIELDS,
  ZTUNNEL_HTTP_FIELD_PROBLEM,
  ZTUNNEL_TRUST_DOMAIN_PROBLEM,
} from './allow-policy-check';
import {
  checkRuleKeys,
  checkRuleList,
  checkSources,
  Condition,
  renderConditions,
} from './allow-rules';
import { DEFAULT_ROOT_NAMESPACE } from './defaults';
import { checkProps } from './errors';
import { declareOpening, rootNamespacesOf } from './mesh-registry';
import { checkPropsObject, withDefault } from './props';
import { requireUniqueObjectNames } from './unique-names';
import { oncePerSynth } from './synth-memo';
import { InvalidValueError, quote, validateNamespace, validateObjectName } from './names';
import { parsePorts } from './ports';
import { DEFAULT_TRUST_DOMAIN, validateTrustDomain } from './principals';
import { renderSources, Source } from './source';
import { applySyncWave, DEFAULT_ALLOW_SYNC_WAVE, SyncWave, validateSyncWave } from './sync-waves';
import { WorkloadTarget } from './workload-target';

/** One rule of a {@link WorkloadAllow}: traffic from any of `from` to any of `ports`. */
export interface WorkloadAllowRule {
  /**
   * Who may connect; any one of them is enough. Only sources ztunnel can check are accepted:
   * principals, service accounts, namespaces and IP blocks.
   */
  readonly from: readonly Source[];

  /**
   * Destination ports: the pod's (container) ports, not the Service's. Numbers are written as
   * the strings the schema requires; named ports and numbers outside 1 to 65535 are refused.
   *
   * @default - every port
   */
  readonly ports?: readonly number[];

  /**
   * Further conditions, on the keys ztunnel evaluates only (`source.ip`, `source.namespace`,
   * `source.principal`, `destination.ip`, `destination.port`).
   *
   * @default - none
   */
  readonly when?: readonly Condition[];
}

/** Props of {@link WorkloadAllow}. */
export interface WorkloadAllowProps {
  /** The pods the policy opens: a selector in a namespace, or a whole namespace. */
  readonly target: WorkloadTarget;

  /**
   * The traffic to allow; more can be added with {@link WorkloadAllow.addRule} until synth. A
   * policy left without rules is refused at synth: it would make its target deny everything.
   *
   * @default - none yet
   */
  readonly rules?: readonly WorkloadAllowRule[];

  /**
   * Name of the AuthorizationPolicy.
   *
   * @default - a unique name derived from the construct path
   */
  readonly name?: string;

  /**
   * The mesh's trust domain (`meshConfig.trustDomain`), used to write service accounts as
   * principals.
   *
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * Istio's root namespace. A namespace-wide target there is refused: it would open every
   * workload of the mesh. The root namespaces of the allow-nothing policies (and so of a
   * `HardenedMesh`) in the same app count too, checked at synth.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * Opt-in for a selector target in the root namespace, which Istio applies to the matching pods
   * of every namespace (for example every pod labelled for scraping). Without it such a target is
   * refused at synth, so that a policy never opens more namespaces than its author meant.
   *
   * @default false
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
   */
  readonly everyNamespace?: boolean;

  /**
   * Argo CD sync wave of the policy, or `false` for none. The default applies ALLOW policies
   * before the allow-nothing policies (wave 1) and prunes them after.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

const RULE_FIELDS = ['from', 'ports', 'when'];

/**
 * An L4 ALLOW policy enforced by ztunnel: lets the given sources open connections to a workload
 * (selected by labels) or to every workload of a namespace, optionally on some ports only.
 *
 * Only what ztunnel can evaluate is accepted. HTTP fields (methods, paths, hosts, request
 * principals, remote IP blocks, HTTP conditions) are refused: ztunnel drops any ALLOW rule that
 * has one, which would leave the workload denying the traffic. Trust domains are refused too,
 * because ztunnel ignores them. Use a {@link ServiceAllow} for HTTP-level rules.
 *
 * In a namespace served by a waypoint, the destination ztunnel sees the waypoint's identity for
 * traffic that went through it, not the client's: open such traffic with a {@link ServiceAllow}
 * at the waypoint, plus the waypoint's own L4 ALLOW ({@link WaypointAllow}).
 *
 * There is no DENY variant: a DENY wins over every ALLOW, so it cannot be a baseline that later
 * policies open. The spec is rendered at synth and checked again there, escape hatches included.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l4-policy/
 */
export class WorkloadAllow extends Construct {
  /** The policy's name. */
  public readonly name: string;

  /** The policy's namespace: the target's namespace. */
  public readonly namespace: string;

  /** The pods the policy opens. */
  public readonly target: WorkloadTarget;

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  private readonly trustDomain: string;
  private readonly rootNamespace: string;
  private readonly everyNamespace: boolean;
  private readonly rules: AuthorizationPolicySpecRules[] = [];

  constructor(scope: Construct, id: string, props: WorkloadAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, [
        'target',
        'rules',
        'name',
        'trustDomain',
        'rootNamespace',
        'everyNamespace',
        'syncWave',
      ]),
    );

    checkProps(this, () => {
      if (!(props?.target instanceof WorkloadTarget)) {
        throw new InvalidValueError(
          'target',
          `is ${quote(props?.target)}; build it with WorkloadTarget.selector(), ` +
            'WorkloadTarget.namespace() or WorkloadTarget.fromDeployment()',
        );
      }
    });
    this.target = props.target;
    this.namespace = this.target.namespace;
    this.trustDomain = checkProps(this, () =>
      validateTrustDomain('trustDomain', withDefault(props.trustDomain, DEFAULT_TRUST_DOMAIN)),
    );
    const rootNamespace = checkProps(this, () =>
      validateNamespace('rootNamespace', withDefault(props.rootNamespace, DEFAULT_ROOT_NAMESPACE)),
    );
    this.rootNamespace = rootNamespace;
    this.everyNamespace = checkProps(this, () => {
      const everyNamespace = withDefault(props.everyNamespace, false);
      if (typeof everyNamespace !== 'boolean') {
        throw new InvalidValueError(
          'everyNamespace',
          `must be true or false, got ${quote(everyNamespace)}`,
        );
      }
      return everyNamespace;
    });
    checkProps(this, () => {
      if (this.namespace === rootNamespace && this.target.namespaceWide) {
        throw new InvalidValueError(
          'target',
          `${this.target} is the root namespace ${quote(rootNamespace)}, where a policy without ` +
            'selector applies to every workload of the mesh; target a selector instead',
        );
      }
    });

    const syncWave = checkProps(this, () =>
      validateSyncWave('syncWave', withDefault(props.syncWave, DEFAULT_ALLOW_SYNC_WAVE)),
    );
    const rules = checkProps(this, () => checkRuleList(withDefault(props.rules, [])));
    const name =
      props.name === undefined
        ? undefined
        : checkProps(this, () => validateObjectName('name', props.name));

    requireUniqueObjectNames(this);
    this.policy = new AuthorizationPolicy(this, 'Resource', {
      // An explicit `name: undefined` would stop cdk8s from generating one.
      metadata: { ...(name ? { name } : {}), namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    this.name = this.policy.name;
    applySyncWave(this.policy, syncWave);
    declareOpening(this, syncWave);

    for (const rule of rules) {
      this.addRule(rule);
    }
    // Computed once per app synth: cdk8s validates the whole app again for every chart.
    this.node.addValidation(oncePerSynth(this, () => this.validatePolicy()));
  }

  /** Allows more traffic: adds a rule, checked at once. */
  public addRule(rule: WorkloadAllowRule): void {
    const field = `rules[${this.rules.length}]`;
    const rendered = checkProps(this, () => {
      const given = checkRuleKeys(field, rule, RULE_FIELDS, (key) =>
        HTTP_ONLY_OPERATION_FIELDS.includes(key) ? ZTUNNEL_HTTP_FIELD_PROBLEM : undefined,
      );
      const sources = checkSources(`${field}.from`, given.from);
      sources.forEach((source, index) => {
        if (source.httpOnly) {
          throw new InvalidValueError(
            `${field}.from[${index}]`,
            `${source} (${source.field}) ${ZTUNNEL_HTTP_FIELD_PROBLEM}`,
          );
        }
        if (source.field === 'trustDomains') {
          throw new InvalidValueError(
            `${field}.from[${index}]`,
            `${source} (${source.field}) ${ZTUNNEL_TRUST_DOMAIN_PROBLEM}`,
          );
        }
      });
      const ports =
        given.ports === undefined
          ? undefined
          : parsePorts(`${field}.ports`, given.ports as unknown[]);
      const when = renderConditions(`${field}.when`, given.when, true);
      return {
        from: renderSources(sources, this.trustDomain),
        ...(ports ? { to: [{ operation: { ports } }] } : {}),
        ...(when ? { when } : {}),
      };
    });
    this.rules.push(rendered);
  }

  private renderSpec(): AuthorizationPolicySpec {
    const resolved = this.target.resolve();
    return {
      action: AuthorizationPolicySpecAction.ALLOW,
      ...(resolved.matchLabels ? { selector: { matchLabels: resolved.matchLabels } } : {}),
      rules: this.rules,
    };
  }

  private validatePolicy(): string[] {
    try {
      this.target.resolve();
    } catch (error) {
      if (error instanceof InvalidValueError) {
        return [`target ${error.field} ${error.problem}`];
      }
      throw error;
    }
    if (this.rules.length === 0) {
      return [
        'rules is empty: an ALLOW policy without rules would make its target deny everything; ' +
          'add a rule with addRule() or remove the construct',
      ];
    }
    const { json, problems } = renderForCheck(this.policy);
    if (!json) {
      return problems;
    }
    return [...checkAllowPolicy(json, 'ztunnel'), ...this.rootNamespaceProblems(json)];
  }

  /**
   * Istio reads a policy in the root namespace as mesh-wide: without selector it opens every
   * workload of the mesh, with one the matching pods of every namespace.
   */
  private rootNamespaceProblems(rendered: {
    metadata?: { namespace?: string };
    spec?: { selector?: unknown };
  }): string[] {
    const namespace = rendered.metadata?.namespace ?? '';
    if (!new Set([this.rootNamespace, ...rootNamespacesOf(this)]).has(namespace)) {
      return [];
    }
    if (rendered.spec?.selector === undefined) {
      return [
        `metadata.namespace ${quote(namespace)} is the root namespace and the policy has no ` +
          'selector: it would open every workload of the mesh; target a selector instead',
      ];
    }
    if (!this.everyNamespace) {
      return [
        `metadata.namespace ${quote(namespace)} is the root namespace, where Istio applies a ` +
          'selector to the matching pods of every namespace: put the policy in the namespace of ' +
          'its pods, or set everyNamespace: true if every namespace is what you mean',
      ];
    }
    return [];
  }
}
