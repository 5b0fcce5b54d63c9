import { ApiObject } from 'cdk8s';
import { InvalidValueError, quote } from './names';

/**
 * The annotation that asks Istio to evaluate a policy and log the decision without enforcing it.
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/
 */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/**
 * Writes `istio.io/dry-run: "true"` on `object` when `dryRun` is true.
 *
 * What ztunnel does with it depends on the release: up to 1.25.1 it ignores the annotation and
 * enforces the policy; 1.25.2 to 1.28 skip dry-run policies entirely (neither enforced nor
 * logged); from 1.29 they are logged only, and only when istiod runs with
 * `AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true` (otherwise istiod does not send them).
 * Waypoints and gateways (Envoy) log dry-run policies in every release.
 */
export function applyDryRun(field: string, object: ApiObject, dryRun: unknown): boolean {
  if (dryRun === undefined || dryRun === false) {
    return false;
  }
  if (dryRun !== true) {
    throw new InvalidValueError(field, `must be true or false, got ${quote(dryRun)}`);
  }
  object.metadata.addAnnotation(DRY_RUN_ANNOTATION, 'true');
  return true;
}
