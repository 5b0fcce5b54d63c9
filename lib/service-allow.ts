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
  MAX_TARGET_REFS,
  renderForCheck,
  ZTUNNEL_WHEN_KEYS,
} from './allow-policy-check';
import {
  checkRuleKeys,
  checkRuleList,
  checkSources,
  Condition,
  Operation,
  renderConditions,
  renderOperation,
} from './allow-rules';
import { checkProps } from './errors';
import { declareOpening } from './mesh-registry';
import { checkPropsObject, withDefault } from './props';
import { requireUniqueObjectNames } from './unique-names';
import { oncePerSynth } from './synth-memo';
import { InvalidValueError, quote, validateObjectName } from './names';
import { DEFAULT_TRUST_DOMAIN, validateTrustDomain } from './principals';
import { isHttpPortName, ServiceTarget } from './service-target';
import { renderSources, Source } from './source';
import { applySyncWave, DEFAULT_ALLOW_SYNC_WAVE, SyncWave, validateSyncWave } from './sync-waves';

/** One rule of a {@link ServiceAllow}: requests from any of `from` that match any of `to`. */
export interface ServiceAllowRule {
  /** Who may send the requests; any one of them is enough. */
  readonly from: readonly Source[];

  /**
   * The requests allowed; any one operation is enough.
   *
   * @default - every request from the sources
   */
  readonly to?: readonly Operation[];

  /**
   * Further conditions, on any key Istio knows (such as `request.headers[x-tenant]`).
   *
   * @default - none
   */
  readonly when?: readonly Condition[];
}

/** Props of {@link ServiceAllow}. */
export interface ServiceAllowProps {
  /**
   * What the policy applies to: Services, ServiceEntries or a waypoint Gateway, all in one
   * namespace (the policy's). At most 16; more can be added with {@link ServiceAllow.addTarget}.
   */
  readonly targets: readonly ServiceTarget[];

  /**
   * The requests to allow; more can be added with {@link ServiceAllow.addRule} until synth. A
   * policy left without rules is refused at synth: it would make its targets deny everything.
   *
   * @default - none yet
   */
  readonly rules?: readonly ServiceAllowRule[];

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
   * Argo CD sync wave of the policy, or `false` for none.
   *
   * @default -1
   */
  readonly syncWave?: SyncWave;
}

const RULE_FIELDS = ['from', 'to', 'when'];

/**
 * An L7 ALLOW policy enforced by the waypoint: lets the given sources send the given HTTP
 * requests (ports, methods, paths, hosts) to Services, ServiceEntries or a whole waypoint, by
 * `targetRefs`.
 *
 * The waypoint sees the original client's identity, so sources name the real clients. The
 * destination ztunnel then sees the waypoint's identity: in a hardened mesh the waypoint needs its
 * own L4 ALLOW ({@link WaypointAllow}, or `HardenedMesh`'s `waypoints`) unless istiod's
 * auto-allow waypoint policy is on.
 *
 * Ports here are the ports of the request at the waypoint; for Services whose port and target
 * port differ, check which one your Istio release matches (not verified by this library).
 *
 * There is no DENY variant: a DENY wins over every ALLOW, so it cannot be a baseline that later
 * policies open. The spec is rendered at synth and checked again there, escape hatches included.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */
export class ServiceAllow extends Construct {
  /** The policy's name. */
  public readonly name: string;

  /** The policy's namespace: the namespace of its targets. */
  public readonly namespace: string;

  /** The synthesized AuthorizationPolicy, for escape hatches such as `addJsonPatch`. */
  public readonly policy: AuthorizationPolicy;

  private readonly trustDomain: string;
  private readonly targets: ServiceTarget[] = [];
  private readonly rules: AuthorizationPolicySpecRules[] = [];

  constructor(scope: Construct, id: string, props: ServiceAllowProps) {
    super(scope, id);

    // Plain JavaScript callers get no type check: a misspelt prop must not fall back to a default.
    checkProps(this, () =>
      checkPropsObject('props', props, ['targets', 'rules', 'name', 'trustDomain', 'syncWave']),
    );

    const targets = checkProps(this, () => {
      if (!Array.isArray(props?.targets) || props.targets.length === 0) {
        throw new InvalidValueError(
          'targets',
          `is ${quote(props?.targets)}: give at least one ServiceTarget; ` +
            'a waypoint ignores a policy without targetRefs',
        );
      }
      return props.targets;
    });
    this.namespace = checkProps(this, () => checkTarget('targets[0]', targets[0]).namespace);
    this.trustDomain = checkProps(this, () =>
      validateTrustDomain('trustDomain', withDefault(props.trustDomain, DEFAULT_TRUST_DOMAIN)),
    );
    const syncWave = checkProps(this, () =>
      validateSyncWave('syncWave', withDefault(props.syncWave, DEFAULT_ALLOW_SYNC_WAVE)),
    );
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

    targets.forEach((target) => this.addTarget(target));
    const rules = checkProps(this, () => checkRuleList(withDefault(props.rules, [])));
    for (const rule of rules) {
      this.addRule(rule);
    }
    // Computed once per app synth: cdk8s validates the whole app again for every chart.
    this.node.addValidation(oncePerSynth(this, () => this.validatePolicy()));
  }

  /**
   * Applies the policy to one more target, which must be in the policy's namespace: Istio does
   * not follow a `targetRefs` entry into another namespace.
   */
  public addTarget(target: ServiceTarget): void {
    const field = `targets[${this.targets.length}]`;
    checkProps(this, () => {
      checkTarget(field, target);
      if (target.namespace !== this.namespace) {
        throw new InvalidValueError(
          field,
          `${target} is in namespace ${quote(target.namespace)}, but this policy is in ` +
            `${quote(this.namespace)}: Istio does not support cross-namespace targetRefs; ` +
            'write one ServiceAllow per namespace',
        );
      }
    });
    const duplicate = this.targets.some(
      (known) =>
        known.targetRef.kind === target.targetRef.kind &&
        known.targetRef.name === target.targetRef.name,
    );
    if (!duplicate) {
      this.targets.push(target);
    }
  }

  /** Allows more requests: adds a rule, checked at once. */
  public addRule(rule: ServiceAllowRule): void {
    const field = `rules[${this.rules.length}]`;
    const rendered = checkProps(this, () => {
      const given = checkRuleKeys(field, rule, RULE_FIELDS, (key) =>
        ['ports', 'methods', 'paths', 'hosts'].includes(key)
          ? `belongs in an operation: write to: [{ ${key}: [...] }]`
          : undefined,
      );
      const sources = checkSources(`${field}.from`, given.from);
      let to: AuthorizationPolicySpecRules['to'];
      if (given.to !== undefined) {
        if (!Array.isArray(given.to) || given.to.length === 0) {
          throw new InvalidValueError(
            `${field}.to`,
            `is ${quote(given.to)}: give at least one operation, or leave to out to allow ` +
              'every request from the sources',
          );
        }
        to = given.to.map((operation, index) =>
          renderOperation(`${field}.to[${index}]`, operation),
        );
      }
      const when = renderConditions(`${field}.when`, given.when, false);
      return {
        from: renderSources(sources, this.trustDomain),
        ...(to ? { to } : {}),
        ...(when ? { when } : {}),
      };
    });
    this.rules.push(rendered);
  }

  private renderSpec(): AuthorizationPolicySpec {
    return {
      action: AuthorizationPolicySpecAction.ALLOW,
      targetRefs: this.targets.map((target) => ({ ...target.targetRef })),
      rules: this.rules,
    };
  }

  /**
   * A waypoint handles a Service port that is not declared HTTP as TCP and skips every ALLOW rule
   * with an HTTP field there: such a rule would never match. Checked for targets given as
   * cdk8s-plus Services, whose ports are known.
   */
  private tcpPortProblems(): string[] {
    const httpRules = this.rules
      .map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => hasHttpField(rule));
    if (httpRules.length === 0) {
      return [];
    }
    const problems: string[] = [];
    this.targets.forEach((target, targetIndex) => {
      const tcpPorts = (target.servicePorts?.() ?? []).filter((port) => !isHttpPortName(port.name));
      for (const port of tcpPorts) {
        problems.push(
          `targets[${targetIndex}] ${target} port ${port.port}` +
            `${port.name ? ` (named ${quote(port.name)})` : ''} is not declared HTTP, so a ` +
            `waypoint serves it as TCP and skips rules[${httpRules.map((r) => r.index).join(', ')}], ` +
            'which use HTTP fields: name the port http-<something> (or grpc-...), or drop the HTTP fields',
        );
      }
    });
    return problems;
  }

  private validatePolicy(): string[] {
    const problems: string[] = [...this.tcpPortProblems()];
    if (this.targets.length > MAX_TARGET_REFS) {
      problems.push(
        `targets has ${this.targets.length} entries; a policy takes at most ${MAX_TARGET_REFS} ` +
          'targetRefs (the CRD refuses more): split the targets over several ServiceAllows',
      );
    }
    if (this.rules.length === 0) {
      problems.push(
        'rules is empty: an ALLOW policy without rules would make its targets deny everything; ' +
          'add a rule with addRule() or remove the construct',
      );
    }
    if (problems.length > 0) {
      return problems;
    }
    const { json, problems: renderProblems } = renderForCheck(this.policy);
    return json ? checkAllowPolicy(json, 'waypoint') : renderProblems;
  }
}

function checkTarget(field: string, target: unknown): ServiceTarget {
  if (!(target instanceof ServiceTarget)) {
    throw new InvalidValueError(
      field,
      `is ${quote(target)}; build it with ServiceTarget.service(), .fromService(), .waypoint() ` +
        'or .serviceEntry()',
    );
  }
  return target;
}

/** Whether a rendered rule uses a field only an HTTP-aware proxy can evaluate. */
function hasHttpField(rule: AuthorizationPolicySpecRules): boolean {
  const operations = rule.to ?? [];
  const sources = rule.from ?? [];
  return (
    operations.some(
      (entry) => entry.operation?.methods || entry.operation?.paths || entry.operation?.hosts,
    ) ||
    sources.some((entry) => entry.source?.requestPrincipals || entry.source?.remoteIpBlocks) ||
    (rule.when ?? []).some((condition) => !ZTUNNEL_WHEN_KEYS.includes(condition.key))
  );
}
