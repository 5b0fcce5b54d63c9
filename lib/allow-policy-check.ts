/**
 * Checks a rendered ALLOW AuthorizationPolicy for the forms Istio accepts but silently turns into
 * something else (`../shared/reference/ambient-authorization.md`, sections 2 to 4 of this
 * project's reference). The constructs build only safe policies; this check runs on their final
 * JSON at synth, so that an escape hatch (`addJsonPatch`) cannot bring an unsafe form back.
 */
import { parseIpBlock } from './ip-blocks';
import { InvalidValueError, quote } from './names';
import { checkWildcard, parsePrincipal } from './principals';
import { parsePort } from './ports';

/** Which proxy enforces a policy. */
export type Enforcement = 'ztunnel' | 'waypoint';

/** The `when` keys ztunnel evaluates; any other key makes istiod drop the whole ALLOW rule. */
export const ZTUNNEL_WHEN_KEYS: readonly string[] = [
  'source.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
];

/** Operation fields only an HTTP-aware proxy can evaluate. */
export const HTTP_ONLY_OPERATION_FIELDS: readonly string[] = [
  'hosts',
  'notHosts',
  'methods',
  'notMethods',
  'paths',
  'notPaths',
];

/** Source fields only an HTTP-aware proxy can evaluate. */
export const HTTP_ONLY_SOURCE_KEYS: readonly string[] = [
  'requestPrincipals',
  'notRequestPrincipals',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
];

/** Source fields istiod silently leaves out of what it sends to ztunnel. */
export const ZTUNNEL_IGNORED_SOURCE_KEYS: readonly string[] = ['trustDomains', 'notTrustDomains'];

/** The most `rules` of one policy, and `from` entries of one rule, the CRD accepts. */
export const MAX_RULES = 512;

/** The most `targetRefs` entries the CRD accepts. */
export const MAX_TARGET_REFS = 16;

/** Why an HTTP-only field cannot be used at ztunnel, and what to do instead. */
export const ZTUNNEL_HTTP_FIELD_PROBLEM =
  'is an HTTP-only field, but this policy is enforced by ztunnel, which drops every ALLOW rule ' +
  'that uses one, so the workload would deny this traffic instead of allowing it; ' +
  'use a ServiceAllow (enforced by the waypoint) for HTTP fields';

/** Why trust domains cannot be used at ztunnel. */
export const ZTUNNEL_TRUST_DOMAIN_PROBLEM =
  'is ignored by ztunnel (istiod does not send it), so the rule would lose this constraint; ' +
  'name the identities with exact principals instead';

const TARGET_KINDS: Record<string, readonly string[]> = {
  Service: ['', 'core'],
  ServiceEntry: ['networking.istio.io'],
  Gateway: ['gateway.networking.k8s.io'],
  GatewayClass: ['gateway.networking.k8s.io'],
};

/**
 * Checks a `when` value the way the factories check the same kind of value: an address key takes
 * an IP or CIDR without host bits (`10.1.2.3/8` would open all of 10.0.0.0/8), a port key a port
 * number, a principal or namespace key a value whose `*` Istio reads as a wildcard.
 */
export function checkConditionValue(field: string, key: string, value: string): void {
  if (key === 'source.ip' || key === 'destination.ip' || key === 'remote.ip') {
    parseIpBlock(field, value);
  } else if (key === 'destination.port') {
    parsePort(field, value);
  } else if (key === 'source.principal') {
    refuseSpiffeScheme(field, value);
    parsePrincipal(field, value);
  } else if (key === 'source.namespace') {
    checkWildcard(field, value, value);
  }
}

/**
 * Refuses a principal written with its `spiffe://` scheme (any case) in rendered output: Istio
 * adds the scheme itself, so such a principal would never match. (The factories strip it
 * instead; here the value is already in the policy.)
 */
function refuseSpiffeScheme(field: string, value: string): void {
  if (/^spiffe:\/\//i.test(value)) {
    throw new InvalidValueError(
      field,
      `is ${quote(value)}: Istio adds "spiffe://" itself, so this would never match; ` +
        `write ${quote(value.slice('spiffe://'.length))}`,
    );
  }
}

/**
 * An HTTP method as Envoy accepts and Istio compares it: case-sensitive, an upper-case token, as
 * every client sends it.
 */
export const HTTP_METHOD = /^[A-Z][A-Z0-9_-]*$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Renders `object` for {@link checkAllowPolicy}. A patch that gives a field the wrong type makes
 * the generated class fail while rendering; that is reported as a problem, not thrown.
 */
export function renderForCheck(object: { toJson(): unknown }): {
  json?: Record<string, unknown>;
  problems: string[];
} {
  try {
    return { json: object.toJson() as Record<string, unknown>, problems: [] };
  } catch (error) {
    return {
      problems: [
        `cannot be rendered (${(error as Error).message}); a patch probably gave a field the ` +
          'wrong type',
      ],
    };
  }
}

/**
 * Returns the problems of a rendered ALLOW policy (empty when it is safe), each as
 * `<field> <problem>` with the field written as a path into the object.
 */
export function checkAllowPolicy(policy: unknown, enforcedBy: Enforcement): string[] {
  const problems: string[] = [];
  const report = (field: string, problem: string) => problems.push(`${field} ${problem}`);
  const spec = isObject(policy) && isObject(policy.spec) ? policy.spec : {};

  checkAction(spec, report);
  checkTarget(spec, enforcedBy, report);

  const rules = spec.rules;
  if (!Array.isArray(rules) || rules.length === 0) {
    report(
      'spec.rules',
      'is empty: an ALLOW policy without rules matches nothing, so its target would deny ' +
        'everything; add at least one rule',
    );
    return problems;
  }
  if (rules.length > MAX_RULES) {
    report(
      'spec.rules',
      `has ${rules.length} rules; the CRD allows at most ${MAX_RULES}, so the API server would ` +
        'refuse the policy: split the rules over several policies',
    );
  }
  rules.forEach((rule, index) => checkRule(`spec.rules[${index}]`, rule, enforcedBy, report));
  return problems;
}

type Report = (field: string, problem: string) => void;

/** Runs one of the value checks shared with the constructs, reporting what it refuses. */
function reportRefusal(report: Report, field: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InvalidValueError)) {
      throw error;
    }
    report(field, error.problem);
  }
}

/** Fields that allow everything except what they name: never written by the constructs. */
function checkNoNegativeFields(field: string, object: Json, report: Report): void {
  for (const key of Object.keys(object).filter((name) => /^not[A-Z]/.test(name))) {
    report(
      `${field}.${key}`,
      'is a negative field, which matches everything it does not name (for a source, ' +
        'plaintext clients included): the constructs write only positive fields; ' +
        'write narrower ALLOWs instead',
    );
  }
}

function checkAction(spec: Json, report: Report): void {
  if (spec.action !== undefined && spec.action !== 'ALLOW') {
    report(
      'spec.action',
      `is ${quote(spec.action)}; only "ALLOW" is allowed here: a DENY policy wins over every ` +
        'ALLOW, so a DENY used as a baseline can never be opened again (use the allow-nothing ' +
        'policies of HardenedMesh instead), and ztunnel does not enforce AUDIT or CUSTOM at all',
    );
  }
  if (spec.provider !== undefined) {
    report('spec.provider', 'is set, but only a CUSTOM policy has a provider; remove it');
  }
}

function checkTarget(spec: Json, enforcedBy: Enforcement, report: Report): void {
  const refs = [
    ...(spec.targetRef !== undefined ? [{ field: 'spec.targetRef', ref: spec.targetRef }] : []),
    ...list(spec.targetRefs).map((ref, index) => ({ field: `spec.targetRefs[${index}]`, ref })),
  ];
  const hasRefs = spec.targetRef !== undefined || spec.targetRefs !== undefined;

  if (spec.selector !== undefined) {
    if (hasRefs) {
      report(
        'spec.selector',
        'is set together with targetRefs: the API server refuses a policy with both; ' +
          'a selector policy is enforced by ztunnel, a targetRefs policy by a waypoint, ' +
          'so write two policies',
      );
    }
    const labels = isObject(spec.selector) ? spec.selector.matchLabels : undefined;
    if (!isObject(labels) || Object.keys(labels).length === 0) {
      report(
        'spec.selector',
        `is ${quote(spec.selector)}, an empty selector: ztunnel attaches it to nothing and a ` +
          'sidecar applies it to the whole namespace; give at least one label',
      );
    }
  }

  if (enforcedBy === 'ztunnel') {
    if (hasRefs) {
      report(
        spec.targetRef !== undefined ? 'spec.targetRef' : 'spec.targetRefs',
        'is set on a policy meant for ztunnel: istiod never sends a policy with targetRefs to ' +
          'ztunnel; use a selector (WorkloadTarget) here, or a ServiceAllow for a waypoint',
      );
    }
    return;
  }

  if (refs.length === 0) {
    report(
      'spec.targetRefs',
      'is empty: a waypoint ignores every policy without targetRefs; target a Service, ' +
        'ServiceEntry or waypoint Gateway',
    );
  }
  if (refs.length > MAX_TARGET_REFS) {
    report(
      'spec.targetRefs',
      `has ${refs.length} entries; the CRD allows at most ${MAX_TARGET_REFS}: split the policy`,
    );
  }
  for (const { field, ref } of refs) {
    if (!isObject(ref)) {
      report(field, `must be a reference with group, kind and name, got ${quote(ref)}`);
      continue;
    }
    if (ref.namespace !== undefined && ref.namespace !== '') {
      report(
        `${field}.namespace`,
        `is ${quote(ref.namespace)}: Istio does not support cross-namespace targetRefs; ` +
          'put the policy in the namespace of its target and leave namespace unset',
      );
    }
    if (ref.kind === 'GatewayClass') {
      report(
        `${field}.kind`,
        'is "GatewayClass", which reaches every waypoint of the mesh (from the root namespace): ' +
          'an ALLOW there opens all of them; target the Services or the one waypoint Gateway instead',
      );
      continue;
    }
    const groups = typeof ref.kind === 'string' ? TARGET_KINDS[ref.kind] : undefined;
    if (!groups) {
      report(
        `${field}.kind`,
        `is ${quote(ref.kind)}; a waypoint honours only ${Object.keys(TARGET_KINDS).join(', ')}`,
      );
    } else if (!groups.includes(typeof ref.group === 'string' ? ref.group : '')) {
      report(
        `${field}.group`,
        `is ${quote(ref.group)}, but kind ${ref.kind} is in group ${quote(groups[0])}`,
      );
    }
  }
}

function checkRule(field: string, rule: unknown, enforcedBy: Enforcement, report: Report): void {
  if (!isObject(rule)) {
    report(field, `must be a rule, got ${quote(rule)}`);
    return;
  }
  const from = rule.from;
  if (!Array.isArray(from) || from.length === 0) {
    report(
      `${field}.from`,
      `is ${quote(from)}: a rule without sources allows every source; name the sources ` +
        '(Source.ipBlocks("0.0.0.0/0") if you really mean anyone)',
    );
  } else {
    if (from.length > MAX_RULES) {
      report(
        `${field}.from`,
        `has ${from.length} entries; the CRD allows at most ${MAX_RULES}, so the API server ` +
          'would refuse the policy: split the rule',
      );
    }
    from.forEach((entry, index) =>
      checkSource(`${field}.from[${index}]`, entry, enforcedBy, report),
    );
  }
  for (const key of ['to', 'when']) {
    if (rule[key] !== undefined && (!Array.isArray(rule[key]) || list(rule[key]).length === 0)) {
      report(
        `${field}.${key}`,
        `is ${quote(rule[key])}: an empty or malformed ${key} puts no constraint on the ` +
          'traffic, so the rule would match more than written; give entries or remove it',
      );
    }
  }
  list(rule.to).forEach((entry, index) =>
    checkOperation(`${field}.to[${index}]`, entry, enforcedBy, report),
  );
  list(rule.when).forEach((entry, index) =>
    checkCondition(`${field}.when[${index}]`, entry, enforcedBy, report),
  );
}

function checkNonEmptyLists(field: string, object: Json, report: Report): string[] {
  const keys = Object.keys(object);
  for (const key of keys) {
    if (!Array.isArray(object[key]) || (object[key] as unknown[]).length === 0) {
      report(
        `${field}.${key}`,
        `is ${quote(object[key])}: an empty or missing list puts no constraint on the request, ` +
          'so it would match more than written; give at least one value or remove the field',
      );
    }
  }
  return keys;
}

function checkSource(field: string, entry: unknown, enforcedBy: Enforcement, report: Report): void {
  const source = isObject(entry) ? entry.source : undefined;
  if (!isObject(source) || Object.keys(source).length === 0) {
    report(
      `${field}.source`,
      `is ${quote(source)}: an empty source matches every source; name who may connect`,
    );
    return;
  }
  const keys = checkNonEmptyLists(`${field}.source`, source, report);
  checkNoNegativeFields(`${field}.source`, source, report);
  for (const key of ['ipBlocks', 'remoteIpBlocks']) {
    list(source[key]).forEach((value, index) => {
      const where = `${field}.source.${key}[${index}]`;
      reportRefusal(report, where, () => parseIpBlock(where, value as string));
    });
  }

  const hasServiceAccounts =
    keys.includes('serviceAccounts') || keys.includes('notServiceAccounts');
  const mixed = keys.filter((key) =>
    ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].includes(key),
  );
  if (hasServiceAccounts && mixed.length > 0) {
    report(
      `${field}.source.serviceAccounts`,
      `is set together with ${mixed.join(', ')}: the API server refuses this mix; ` +
        'name the service accounts as principals, or put them in a separate from entry',
    );
  }

  for (const key of ['principals', 'notPrincipals']) {
    list(source[key]).forEach((value, index) => {
      const where = `${field}.source.${key}[${index}]`;
      if (typeof value !== 'string') {
        report(where, `must be a string, got ${quote(value)}`);
        return;
      }
      // parsePrincipal refuses empty values, spaces and a '*' Istio would not read as a wildcard.
      reportRefusal(report, where, () => {
        refuseSpiffeScheme(where, value);
        parsePrincipal(where, value);
      });
    });
  }

  if (enforcedBy === 'ztunnel') {
    for (const key of keys) {
      if (HTTP_ONLY_SOURCE_KEYS.includes(key)) {
        report(`${field}.source.${key}`, `${quote(source[key])} ${ZTUNNEL_HTTP_FIELD_PROBLEM}`);
      }
      if (ZTUNNEL_IGNORED_SOURCE_KEYS.includes(key)) {
        report(`${field}.source.${key}`, `${quote(source[key])} ${ZTUNNEL_TRUST_DOMAIN_PROBLEM}`);
      }
    }
  }
}

function checkOperation(
  field: string,
  entry: unknown,
  enforcedBy: Enforcement,
  report: Report,
): void {
  const operation = isObject(entry) ? entry.operation : undefined;
  if (!isObject(operation) || Object.keys(operation).length === 0) {
    report(
      `${field}.operation`,
      `is ${quote(operation)}: an empty operation matches every request; ` +
        'give ports, methods, paths or hosts, or leave out the whole to entry',
    );
    return;
  }
  const keys = checkNonEmptyLists(`${field}.operation`, operation, report);
  checkNoNegativeFields(`${field}.operation`, operation, report);
  list(operation.methods).forEach((method, index) => {
    if (typeof method !== 'string' || !HTTP_METHOD.test(method)) {
      report(
        `${field}.operation.methods[${index}]`,
        `is ${quote(method)}; Istio compares methods case-sensitively: write them in capitals, ` +
          'such as "GET"',
      );
    }
  });
  for (const key of ['paths', 'hosts']) {
    list(operation[key]).forEach((value, index) => {
      const where = `${field}.operation.${key}[${index}]`;
      if (typeof value !== 'string') {
        report(where, `must be a string, got ${quote(value)}`);
        return;
      }
      // Path templates ({*}, {**}) are Envoy's own syntax; only a bare '*' follows Istio's rule.
      if (!(key === 'paths' && value.includes('{'))) {
        reportRefusal(report, where, () => checkWildcard(where, value, value));
      }
    });
  }
  for (const key of ['ports', 'notPorts']) {
    list(operation[key]).forEach((port, index) => {
      const where = `${field}.operation.${key}[${index}]`;
      if (typeof port !== 'string') {
        report(where, `is ${quote(port)}, but the schema requires a string such as "8080"`);
        return;
      }
      try {
        parsePort(where, port);
      } catch (error) {
        report(where, (error as { problem: string }).problem);
      }
    });
  }
  if (enforcedBy === 'ztunnel') {
    for (const key of keys) {
      if (HTTP_ONLY_OPERATION_FIELDS.includes(key)) {
        report(
          `${field}.operation.${key}`,
          `${quote(operation[key])} ${ZTUNNEL_HTTP_FIELD_PROBLEM}`,
        );
      }
    }
  }
}

function checkCondition(
  field: string,
  entry: unknown,
  enforcedBy: Enforcement,
  report: Report,
): void {
  if (!isObject(entry) || typeof entry.key !== 'string') {
    report(field, `must be a condition with a key, got ${quote(entry)}`);
    return;
  }
  if (list(entry.values).length === 0 && list(entry.notValues).length === 0) {
    report(field, `on ${quote(entry.key)} has no values or notValues, so it would match nothing`);
  }
  const key = entry.key;
  for (const kind of ['values', 'notValues']) {
    list(entry[kind]).forEach((value, index) => {
      const where = `${field}.${kind}[${index}]`;
      if (typeof value !== 'string') {
        report(where, `must be a string, got ${quote(value)}`);
        return;
      }
      reportRefusal(report, where, () => checkConditionValue(where, key, value));
    });
  }
  if (enforcedBy === 'ztunnel' && !ZTUNNEL_WHEN_KEYS.includes(entry.key)) {
    report(
      `${field}.key`,
      `${quote(entry.key)} is not one of the keys ztunnel evaluates ` +
        `(${ZTUNNEL_WHEN_KEYS.join(', ')}): istiod treats it as an HTTP attribute and drops the ` +
        'whole ALLOW rule, so the workload would deny this traffic; ' +
        'use a ServiceAllow (enforced by the waypoint) for such conditions',
    );
  }
}
