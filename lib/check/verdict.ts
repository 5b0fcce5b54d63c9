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
  for (const policy of policies) {
    if (policy.action === 'CUSTOM' && matches(policy, context)) {
      return {
        allowed: false,
        policy,
        reason:
          `CUSTOM policy ${policy.id} sends the request to ext-authz provider ` +
          `"${policy.provider}", which cannot be evaluated offline; assumed deny`,
      };
    }
  }
  for (const policy of policies) {
    if (policy.action === 'DENY' && matches(policy, context)) {
      return { allowed: false, policy, reason: `DENY policy ${policy.id} matches` };
    }
  }
  const allows = policies.filter((policy) => policy.action === 'ALLOW');
  if (allows.length === 0) {
    return { allowed: true, reason: 'no ALLOW policy applies' };
  }
  for (const policy of allows) {
    if (matches(policy, context)) {
      return { allowed: true, policy, reason: `ALLOW policy ${policy.id} matches` };
    }
  }
  // Name the allow-nothing policy (no rules) when there is one: it is what closed the door.
  const closing = allows.find((policy) => policy.rules.length === 0) ?? allows[0];
  return {
    allowed: false,
    policy: closing,
    reason: `no ALLOW policy matches (applying: ${names(allows)})`,
  };
}
