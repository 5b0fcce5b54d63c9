/**
 * Enforcement in Envoy: waypoints and Gateway-API ingress gateways (reference sections 1, 3 and
 * 4; pilot/pkg/security/authz/builder and model).
 *
 * Every field is evaluated. On an HTTP chain the request is known; on a TCP chain (a waypoint
 * port that is not HTTP) istiod's `checkError` applies: an ALLOW rule with an HTTP-only field is
 * skipped, and a DENY or CUSTOM rule ignores its HTTP-only fields, which widens it.
 */
import { AuthorizationPolicy, EvalContext, PolicyRule } from './policy';
import { Verdict, enforce } from './verdict';

/** Whether one rule of a policy with `action` matches in Envoy. */
export function envoyRuleMatches(
  rule: PolicyRule,
  action: AuthorizationPolicy['action'],
  context: EvalContext,
): boolean {
  const tcp = context.request === undefined;
  if (tcp && action === 'ALLOW' && rule.hasHttpOnly) {
    return false;
  }
  const unknown = action !== 'ALLOW';
  for (const clause of rule.clauses) {
    let clauseHolds = false;
    for (const entry of clause.entries) {
      let entryHolds = true;
      for (const predicate of entry.predicates) {
        if (tcp && predicate.httpOnly) {
          continue;
        }
        const result = predicate.test(context, 'envoy');
        if (!(result ?? unknown)) {
          entryHolds = false;
          break;
        }
      }
      // Envoy reads an empty source or operation as "any", unlike ztunnel.
      if (entryHolds) {
        clauseHolds = true;
        break;
      }
    }
    if (!clauseHolds) {
      return false;
    }
  }
  return true;
}

/** Whether any rule of `policy` matches in Envoy; a policy without rules matches nothing. */
export function envoyPolicyMatches(policy: AuthorizationPolicy, context: EvalContext): boolean {
  return policy.rules.some((rule) => envoyRuleMatches(rule, policy.action, context));
}

/** The decision of a waypoint or an ingress gateway over the policies attached to it. */
export function envoyVerdict(
  policies: readonly AuthorizationPolicy[],
  context: EvalContext,
): Verdict {
  return enforce(policies, context, envoyPolicyMatches);
}
