import { InvalidValueError, quote } from './names';

/** The trust domain of a stock Istio install (`meshConfig.trustDomain`). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

const SPIFFE_SCHEME = 'spiffe://';
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

/**
 * Checks a principal as Istio's `principals` field takes it (`<trust domain>/ns/<ns>/sa/<sa>`)
 * and returns it without a leading `spiffe://`, which Istio adds itself: a principal written with
 * it would be compared as `spiffe://spiffe://...` and never match.
 *
 * Istio matches `*` only as a whole value, a prefix (`x*`) or a suffix (`*x`). A `*` anywhere else
 * is compared literally by ztunnel (and as a regex by Envoy for namespaces), so the same policy
 * would mean two different things: it is refused.
 */
export function parsePrincipal(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(field, `must be a string, got ${quote(value)}`);
  }
  const principal = value.startsWith(SPIFFE_SCHEME) ? value.slice(SPIFFE_SCHEME.length) : value;
  if (principal.trim() === '' || /\s/.test(principal)) {
    throw new InvalidValueError(
      field,
      `has ${quote(value)}, which is not a principal: ` +
        'write <trust domain>/ns/<namespace>/sa/<service account>, without spaces',
    );
  }
  checkWildcard(field, value, principal);
  return principal;
}

/**
 * Refuses a `*` that Istio would not read as a wildcard: anywhere but the whole value, the very
 * start or the very end (and not both ends).
 */
export function checkWildcard(field: string, original: string, value: string): void {
  if (value === '*' || !value.includes('*')) {
    return;
  }
  const prefix = value.endsWith('*') && !value.slice(0, -1).includes('*');
  const suffix = value.startsWith('*') && !value.slice(1).includes('*');
  if (!(prefix || suffix)) {
    throw new InvalidValueError(
      field,
      `has ${quote(original)} with a '*' in the middle or at both ends: Istio matches '*' only as the whole value, ` +
        "a prefix match ('x*') or a suffix match ('*x'); ztunnel would compare the '*' literally " +
        'and the rule would never match',
    );
  }
}

/** Checks a trust domain (`meshConfig.trustDomain`), such as `cluster.local`. */
export function validateTrustDomain(field: string, value: unknown): string {
  if (typeof value !== 'string' || !TRUST_DOMAIN.test(value)) {
    throw new InvalidValueError(
      field,
      `${quote(value)} is not a trust domain: use lowercase letters, digits, '.', '-' and '_', ` +
        "such as 'cluster.local' (the value of meshConfig.trustDomain)",
    );
  }
  return value;
}

/** The principal of a Kubernetes service account: `<trustDomain>/ns/<namespace>/sa/<name>`. */
export function serviceAccountPrincipal(
  trustDomain: string,
  namespace: string,
  name: string,
): string {
  return `${trustDomain}/ns/${namespace}/sa/${name}`;
}
