/**
 * The evaluation order both enforcement points share (reference section 1, istio/api
 * authorization_policy.proto; ztunnel src/state.rs `assert_rbac`): CUSTOM, then any DENY match
 * denies, then no ALLOW policy applying allows, then any ALLOW match allows, else deny.
 */
import { AuthorizationPolicy, EvalContext } from './policy';

/** Which enforcement point decided. */
export type EnforcedBy = 'ztunnel' | 'waypoint' | 'gateway';

/** The outcome at one enforcement point. */
export interface Verdict {
  /** Whether the point lets the traffic through. */
  readonly allowed: boolean;
  /** The deciding policy: the matching DENY or ALLOW, or the ALLOW that failed to match. */
  readonly policy?: AuthorizationPolicy;
  /** Why, in one sentence. */
  readonly reason: string;
}

/** Matches one policy against a context at one enforcement point. */
export type PolicyMatcher = (policy: AuthorizationPolicy, context: EvalContext) => boolean;

function names(policies: readonly AuthorizationPolicy[]): string {
  const shown = policies.slice(0, 3).map((p) => p.id);
  return shown.join(', ') + (policies.length > 3 ? ` and ${policies.length - 3} more` : '');
}

/** What a decision over one policy list needs, computed once per list (lists are cached). */
interface ListSummary {
  readonly custom: readonly AuthorizationPolicy[];
  readonly deny: readonly AuthorizationPolicy[];
  readonly allow: readonly AuthorizationPolicy[];
  readonly allowReasons: readonly string[];
  /** Positions in `allow` of the policies that can match only the peers they name, by peer. */
  readonly allowByPrincipal: ReadonlyMap<string, readonly number[]>;
  /** Positions in `allow` of the policies that may match any peer, ascending. */
  readonly allowAnyPeer: readonly number[];
  readonly denyReasons: readonly string[];
  readonly noMatch?: Verdict;
}

const summaries = new WeakMap<readonly AuthorizationPolicy[], ListSummary>();

function summarize(policies: readonly AuthorizationPolicy[]): ListSummary {
  let summary = summaries.get(policies);
  if (!summary) {
    const allow = policies.filter((policy) => policy.action === 'ALLOW');
    const deny = policies.filter((policy) => policy.action === 'DENY');
    // Name the allow-nothing policy (no rules) when there is one: it is what closed the door.
    const closing = allow.find((policy) => policy.rules.length === 0) ?? allow[0];
    const allowByPrincipal = new Map<string, number[]>();
    const allowAnyPeer: number[] = [];
    allow.forEach((policy, index) => {
      if (!policy.principals) {
        allowAnyPeer.push(index);
        return;
      }
      for (const principal of policy.principals) {
        const positions = allowByPrincipal.get(principal);
        if (positions) {
          positions.push(index);
        } else {
          allowByPrincipal.set(principal, [index]);
        }
      }
    });
    summary = {
      custom: policies.filter((policy) => policy.action === 'CUSTOM'),
      deny,
      allow,
      allowReasons: allow.map((policy) => `ALLOW policy ${policy.id} matches`),
      allowByPrincipal,
      allowAnyPeer,
      denyReasons: deny.map((policy) => `DENY policy ${policy.id} matches`),
      noMatch: closing && {
        allowed: false,
        policy: closing,
        reason: `no ALLOW policy matches (applying: ${names(allow)})`,
      },
    };
    summaries.set(policies, summary);
  }
  return summary;
}

const NO_ALLOW_APPLIES: Verdict = { allowed: true, reason: 'no ALLOW policy applies' };
const NONE: readonly number[] = [];

/**
 * Applies the evaluation order to `policies` (already restricted to those that apply at this
 * point and sorted). CUSTOM policies are only given by Envoy points: the external authorizer is
 * not known offline, so a matching CUSTOM policy is reported as a deny.
 */
export function enforce(
  policies: readonly AuthorizationPolicy[],
  context: EvalContext,
  matches: PolicyMatcher,
): Verdict {
  const summary = summarize(policies);
  for (const policy of summary.custom) {
    if (matches(policy, context)) {
      return {
        allowed: false,
        policy,
        reason:
          `CUSTOM policy ${policy.id} sends the request to ext-authz provider ` +
          `"${policy.provider}", which cannot be evaluated offline; assumed deny`,
      };
    }
  }
  for (let i = 0; i < summary.deny.length; i++) {
    if (matches(summary.deny[i], context)) {
      return { allowed: false, policy: summary.deny[i], reason: summary.denyReasons[i] };
    }
  }
  if (summary.allow.length === 0) {
    return NO_ALLOW_APPLIES;
  }
  // Only the ALLOWs that name this peer, and those that name no peer, can match: walk both
  // position lists in list order, so the first match is the one a full scan would find.
  const principal = context.identity?.principal;
  const named = (principal !== undefined && summary.allowByPrincipal.get(principal)) || NONE;
  const any = summary.allowAnyPeer;
  let n = 0;
  let a = 0;
  while (n < named.length || a < any.length) {
    const i = a >= any.length || (n < named.length && named[n] < any[a]) ? named[n++] : any[a++];
    if (matches(summary.allow[i], context)) {
      return { allowed: true, policy: summary.allow[i], reason: summary.allowReasons[i] };
    }
  }
  return summary.noMatch!;
}
