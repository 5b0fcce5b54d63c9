/**
 * ztunnel's L4 enforcement (reference sections 0, 3 and 4; ztunnel src/rbac.rs, istiod
 * pilot/pkg/serviceregistry/ambient/authorization.go `handleRule`).
 *
 * A rule is a group of clauses (from, to, each `when` condition) that must all hold; a clause is
 * a list of matches of which one must hold; a match holds when each of its fields does. HTTP-only
 * fields are handled as istiod translates them: an ALLOW rule with any of them is dropped whole;
 * a DENY rule keeps its other fields, and a match left empty is skipped, so a clause of empty
 * matches never holds and neither does its rule.
 */
import { AuthorizationPolicy, EvalContext, PolicyRule } from './policy';
import { Verdict, enforce } from './verdict';

/** Whether one rule of a policy with `action` matches at ztunnel. */
export function ztunnelRuleMatches(
  rule: PolicyRule,
  action: AuthorizationPolicy['action'],
  context: EvalContext,
): boolean {
  if (action === 'ALLOW' && rule.hasZtunnelL7) {
    return false;
  }
  // An unknown IP counts as matching for DENY and not for ALLOW: never a wider allow.
  const unknown = action !== 'ALLOW';
  for (const clause of rule.clauses) {
    let clauseHolds = false;
    for (const entry of clause.entries) {
      let populated = false;
      let entryHolds = true;
      for (const predicate of entry.predicates) {
        if (predicate.ztunnel !== 'keep') {
          continue;
        }
        populated = true;
        const result = predicate.test(context, 'ztunnel');
        if (!(result ?? unknown)) {
          entryHolds = false;
          break;
        }
      }
      // rbac.rs l.115: an empty match is skipped, it neither holds nor fails the clause.
      if (populated && entryHolds) {
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

/** Whether any rule of `policy` matches at ztunnel; a policy without rules matches nothing. */
export function ztunnelPolicyMatches(policy: AuthorizationPolicy, context: EvalContext): boolean {
  return policy.rules.some((rule) => ztunnelRuleMatches(rule, policy.action, context));
}

/**
 * The destination ztunnel's decision over `policies` (those attached to the destination workload,
 * see `Mesh.ztunnelPolicies`).
 */
export function ztunnelVerdict(
  policies: readonly AuthorizationPolicy[],
  context: EvalContext,
): Verdict {
  return enforce(policies, context, ztunnelPolicyMatches);
}
