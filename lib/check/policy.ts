/**
 * Reads an AuthorizationPolicy (security.istio.io v1 or v1beta1, the same schema) into a model
 * whose matchers are compiled once, and records for each field how each enforcement point treats
 * it (reference doc, sections 3 and 4).
 *
 * The reader refuses what istiod's validation or the CRD refuses (unknown fields, non-numeric
 * ports, unknown `when` keys, malformed CIDRs, selector together with targetRefs, ...): such a
 * policy never reaches a proxy, and reading a typo as "no constraint" would report traffic as
 * allowed or denied for the wrong reason.
 */
import { InvalidValueError, quote } from '../names';
import { IpSet, StringSet, parsePorts, stringPattern } from './match';
import {
  YamlMap,
  readList,
  readMap,
  readOptionalMap,
  readOptionalString,
  readString,
  readStringList,
  readStringMap,
  rejectUnknownKeys,
} from './read';

/** What a policy does when it matches. */
export type PolicyAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** A `targetRefs` entry (or the older single `targetRef`). */
export interface PolicyTargetRef {
  /** API group, `''` for core. */
  readonly group: string;
  /** `Gateway`, `GatewayClass`, `Service` or `ServiceEntry`. */
  readonly kind: string;
  /** Name of the target, in the policy's namespace (GatewayClass: cluster-scoped). */
  readonly name: string;
}

/** An identity as a SPIFFE id without `spiffe://`: `<trustDomain>/ns/<ns>/sa/<sa>`. */
export interface Identity {
  /** The whole id, as principals are compared. */
  readonly principal: string;
  /** Trust domain part. */
  readonly trustDomain: string;
  /** Namespace part. */
  readonly namespace: string;
  /** Service account part. */
  readonly serviceAccount: string;
}

/** Builds the identity of service account `sa` in `namespace`. */
export function identityOf(trustDomain: string, namespace: string, sa: string): Identity {
  return {
    principal: `${trustDomain}/ns/${namespace}/sa/${sa}`,
    trustDomain,
    namespace,
    serviceAccount: sa,
  };
}

/** An HTTP request as the Envoy of a waypoint or gateway sees it. */
export interface HttpRequest {
  /** Request method, such as `GET`. */
  readonly method: string;
  /** Path, with an optional query string (ignored for matching). */
  readonly path: string;
  /** Host (authority) header; a port is ignored for matching. */
  readonly host: string;
  /** Header names (compared case-insensitively) and values. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What an enforcement point knows of one connection or request.
 *
 * An IP left undefined is unknown (workloads in manifests have no address): a field that needs it
 * is evaluated pessimistically, as matching for DENY and CUSTOM and not matching for ALLOW, so an
 * unknown address can make a decision stricter but never opens anything. A missing identity is not unknown: it is a plaintext peer, which matches no positive
 * identity field and satisfies every `notX` (ztunnel rbac.rs tests not_principals and friends).
 */
export interface EvalContext {
  /** The immediate peer's identity; undefined for plaintext. */
  readonly identity?: Identity;
  /** The immediate peer's IP (`source.ip`, `ipBlocks`); undefined when unknown. */
  readonly sourceIp?: string;
  /** The original client IP (`remote.ip`, `remoteIpBlocks`); undefined when unknown. */
  readonly remoteIp?: string;
  /** The destination pod IP; undefined when unknown. */
  readonly destinationIp?: string;
  /** The destination (pod/target) port. */
  readonly destinationPort: number;
  /** The HTTP request, when the enforcement point parses HTTP; undefined for TCP. */
  readonly request?: HttpRequest;
}

/** The enforcement point a predicate is evaluated for. */
export type EnforcementPoint = 'ztunnel' | 'envoy';

/**
 * How ztunnel treats a field: `keep` translates it; `l7` is an HTTP-only field (authorization.go
 * `handleRule`); `drop` is silently not translated (trustDomains, reference section 3).
 */
export type ZtunnelTreatment = 'keep' | 'l7' | 'drop';

/** One populated field of a `from` source, `to` operation or `when` condition. */
export interface Predicate {
  /** The field path inside the policy, for messages. */
  readonly field: string;
  /** How ztunnel treats the field. */
  readonly ztunnel: ZtunnelTreatment;
  /** Whether Envoy needs HTTP to evaluate it (skipped or ignored on TCP chains). */
  readonly httpOnly: boolean;
  /** Whether the field matches; undefined when it depends on an unknown value. */
  test(context: EvalContext, point: EnforcementPoint): boolean | undefined;
  /**
   * For a positive `principals` field whose values are all exact (no `*`): those values, the
   * only peer principals for which {@link test} can hold, at either point.
   */
  readonly exactPrincipals?: readonly string[];
}

/** One `from` or `to` entry, or one `when` condition: every predicate must hold. */
export interface MatchEntry {
  /** The populated fields; none means an empty entry. */
  readonly predicates: readonly Predicate[];
}

/** A `from` list, a `to` list or one `when` condition: any entry may match. */
export interface Clause {
  /** The entries. */
  readonly entries: readonly MatchEntry[];
}

/** One rule: every clause must hold; no clause matches everything. */
export interface PolicyRule {
  /** Clauses in the order from, to, when... */
  readonly clauses: readonly Clause[];
  /** Whether any field of the rule is HTTP-only at ztunnel. */
  readonly hasZtunnelL7: boolean;
  /** Whether any field of the rule needs HTTP at Envoy. */
  readonly hasHttpOnly: boolean;
  /**
   * The only peer principals for which the rule can match, when one of its clauses requires an
   * exact principal in every entry; undefined when the rule does not say.
   */
  readonly principals?: ReadonlySet<string>;
}

/** An AuthorizationPolicy, read and compiled. */
export interface AuthorizationPolicy {
  /** `<namespace>/<name>`, as decisions name it. */
  readonly id: string;
  /** Namespace of the policy. */
  readonly namespace: string;
  /** Name of the policy. */
  readonly name: string;
  /** The file the policy was read from (for messages). */
  readonly file: string;
  /** The action, ALLOW when not set. */
  readonly action: PolicyAction;
  /** `provider.name` of a CUSTOM policy. */
  readonly provider?: string;
  /** Whether `istio.io/dry-run` is true: such a policy never decides. */
  readonly dryRun: boolean;
  /** `selector.matchLabels`; undefined when the policy has no selector. */
  readonly selector?: Readonly<Record<string, string>>;
  /** targetRefs (or targetRef); undefined when the policy has none. */
  readonly targetRefs?: readonly PolicyTargetRef[];
  /** The rules; empty for a policy without rules (ALLOW: allow-nothing). */
  readonly rules: readonly PolicyRule[];
  /**
   * The only peer principals for which any rule can match (empty for a policy without rules);
   * undefined when some rule may match other peers. Lets a decision skip, without evaluating
   * them, the policies that name other clients: the cost of a decision then stays flat however
   * many clients a workload opens to.
   */
  readonly principals?: ReadonlySet<string>;
}

const SPEC_KEYS = ['action', 'provider', 'rules', 'selector', 'targetRef', 'targetRefs'];
const RULE_KEYS = ['from', 'to', 'when'];
const SOURCE_KEYS = [
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
  'namespaces',
  'notNamespaces',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
];
const OPERATION_KEYS = [
  'hosts',
  'notHosts',
  'ports',
  'notPorts',
  'methods',
  'notMethods',
  'paths',
  'notPaths',
];
const ACTIONS: readonly PolicyAction[] = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];

/** The `when` keys ztunnel can enforce (authorization.go `handleRule`); all others are L7 there. */
const ZTUNNEL_WHEN_KEYS = [
  'source.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
];

/** The targetRefs kinds istiod accepts, with the group each must carry to attach anywhere. */
const TARGET_GROUPS: Readonly<Record<string, readonly string[]>> = {
  Gateway: ['gateway.networking.k8s.io'],
  GatewayClass: ['gateway.networking.k8s.io'],
  Service: ['', 'core'],
  ServiceEntry: ['networking.istio.io'],
};

/** Go's strconv.ParseBool, which istiod uses for the dry-run annotation. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) {
    return true;
  }
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) {
    return false;
  }
  return undefined;
}

function nonEmptyStrings(field: string, value: unknown): string[] {
  const list = readStringList(field, value);
  list.forEach((item, index) => {
    if (item === '') {
      throw new InvalidValueError(
        `${field}[${index}]`,
        "is empty; istiod's validation refuses empty values",
      );
    }
  });
  return list;
}

/** A predicate for a positive (`x`) or negative (`notX`) field from a membership test. */
function predicate(
  field: string,
  negative: boolean,
  ztunnel: ZtunnelTreatment,
  httpOnly: boolean,
  member: (context: EvalContext, point: EnforcementPoint) => boolean | undefined,
): Predicate {
  return {
    field,
    ztunnel,
    httpOnly,
    test(context, point) {
      const found = member(context, point);
      return found === undefined ? undefined : negative ? !found : found;
    },
  };
}

function ipMember(set: IpSet, ip: string | undefined): boolean | undefined {
  return ip === undefined ? undefined : set.contains(ip);
}

/**
 * Envoy builds `namespaces` into the regex `.*\/ns/<ns>/.*` with `*` turned into `.*`, so a `*`
 * in the middle works there; ztunnel uses the four plain string forms (reference section 4).
 */
function namespaceMatcher(values: readonly string[]) {
  const plain = new StringSet(values);
  const regexes = values.map(
    (value) =>
      new RegExp(
        `^.*/ns/${value
          .split('*')
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}/.*$`,
      ),
  );
  return (context: EvalContext, point: EnforcementPoint): boolean => {
    const identity = context.identity;
    if (!identity) {
      return false;
    }
    return point === 'ztunnel'
      ? plain.matches(identity.namespace)
      : regexes.some((regex) => regex.test(identity.principal));
  };
}

/** `serviceAccounts`: `ns/sa`, or a bare `sa` in the policy's namespace; trust domain ignored. */
function serviceAccountMatcher(field: string, values: readonly string[], policyNamespace: string) {
  if (values.length > 16) {
    throw new InvalidValueError(field, `has ${values.length} entries; the CRD allows at most 16`);
  }
  const accounts = new Set(
    values.map((value, index) => {
      if (value.includes('*')) {
        throw new InvalidValueError(
          `${field}[${index}]`,
          `is ${quote(value)}; serviceAccounts takes no wildcards, write "<namespace>/<name>" or "<name>"`,
        );
      }
      return value.includes('/') ? value : `${policyNamespace}/${value}`;
    }),
  );
  return (context: EvalContext): boolean =>
    context.identity !== undefined &&
    accounts.has(`${context.identity.namespace}/${context.identity.serviceAccount}`);
}

function readSource(field: string, raw: YamlMap, policyNamespace: string): Predicate[] {
  rejectUnknownKeys(field, raw, SOURCE_KEYS);
  const usesAccounts = raw.serviceAccounts !== undefined || raw.notServiceAccounts !== undefined;
  const usesIdentity = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some(
    (key) => raw[key] !== undefined,
  );
  if (usesAccounts && usesIdentity) {
    throw new InvalidValueError(
      field,
      'sets serviceAccounts together with principals or namespaces; the CRD refuses that ' +
        '("Cannot set serviceAccounts with namespaces or principals")',
    );
  }

  const predicates: Predicate[] = [];
  for (const key of SOURCE_KEYS) {
    const values = nonEmptyStrings(`${field}.${key}`, raw[key]);
    if (values.length === 0) {
      continue;
    }
    const path = `${field}.${key}`;
    const { negative, base } = splitNegative(key);
    switch (base) {
      case 'principals': {
        const set = new StringSet(values);
        const exact = !negative && values.every((value) => stringPattern(value).kind === 'exact');
        predicates.push({
          ...predicate(path, negative, 'keep', false, (c) => set.matches(c.identity?.principal)),
          ...(exact ? { exactPrincipals: values } : {}),
        });
        break;
      }
      case 'namespaces':
        predicates.push(predicate(path, negative, 'keep', false, namespaceMatcher(values)));
        break;
      case 'serviceAccounts':
        predicates.push(
          predicate(
            path,
            negative,
            'keep',
            false,
            serviceAccountMatcher(path, values, policyNamespace),
          ),
        );
        break;
      case 'ipBlocks': {
        const set = new IpSet(path, values);
        predicates.push(predicate(path, negative, 'keep', false, (c) => ipMember(set, c.sourceIp)));
        break;
      }
      case 'remoteIpBlocks': {
        const set = new IpSet(path, values);
        predicates.push(predicate(path, negative, 'l7', false, (c) => ipMember(set, c.remoteIp)));
        break;
      }
      case 'requestPrincipals': {
        // Cases carry no JWT: a request principal is always absent.
        predicates.push(predicate(path, negative, 'l7', true, () => false));
        break;
      }
      case 'trustDomains': {
        const set = new StringSet(values);
        predicates.push(
          predicate(path, negative, 'drop', false, (c) => set.matches(c.identity?.trustDomain)),
        );
        break;
      }
    }
  }
  return predicates;
}

function stripPort(host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(:[0-9]*)?$/.exec(host);
  return match ? match[1] : host;
}

function pathOnly(path: string): string {
  const cut = path.search(/[?#]/);
  return cut === -1 ? path : path.slice(0, cut);
}

// Envoy's uri_template matcher (source/extensions/path/uri_template_lib/uri_template_internal.cc)
// compiles `*` to one or more of these characters (its `kLiteral`: RFC 3986 pchar without "*";
// current Envoy includes "=", older releases did not) and `**` to zero or more of them or "/".
const PCHAR = "A-Za-z0-9\\-._~%!$&'()+,;:@=";

/**
 * Paths: the four string forms, or a template. istiod rewrites `{*}` to `*` and `{**}` to `**`
 * (pilot/pkg/security/authz/matcher/template.go) for Envoy's uri_template matcher, whose docs say
 * `*` matches one path segment and `**` "zero or more path segments". `**` matches any run of
 * pchar and "/", empty included, so `/a/{**}` matches `/a/`, `/a//x` and `/a/b/c` but not `/a`.
 */
function pathMatcher(values: readonly string[]): (path: string) => boolean {
  // istiod's IsPathTemplate: only `{*}` or `{**}` make a template; other braces are literal.
  const isTemplate = (value: string) => value.includes('{*}') || value.includes('{**}');
  const plain = new StringSet(values.filter((value) => !isTemplate(value)));
  const templates = values.filter(isTemplate).map(
    (value) =>
      new RegExp(
        `^${value
          .split(/(\{\*\*\}|\{\*\})/)
          .map((part) =>
            part === '{**}'
              ? `[${PCHAR}/]*`
              : part === '{*}'
                ? `[${PCHAR}]+`
                : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('')}$`,
      ),
  );
  return (path) => plain.matches(path) || templates.some((regex) => regex.test(path));
}

/** `notPorts` is the negative of `ports`: returns the base field and whether it is negated. */
function splitNegative(key: string): { negative: boolean; base: string } {
  const negative = key.startsWith('not');
  return { negative, base: negative ? key.charAt(3).toLowerCase() + key.slice(4) : key };
}

function readOperation(field: string, raw: YamlMap): Predicate[] {
  rejectUnknownKeys(field, raw, OPERATION_KEYS);
  const predicates: Predicate[] = [];
  for (const key of OPERATION_KEYS) {
    const values = nonEmptyStrings(`${field}.${key}`, raw[key]);
    if (values.length === 0) {
      continue;
    }
    const path = `${field}.${key}`;
    const { negative, base } = splitNegative(key);
    switch (base) {
      case 'ports': {
        const ports = parsePorts(path, values);
        predicates.push(
          predicate(path, negative, 'keep', false, (c) => ports.has(c.destinationPort)),
        );
        break;
      }
      case 'methods': {
        const set = new StringSet(values);
        predicates.push(
          predicate(path, negative, 'l7', true, (c) => set.matches(c.request?.method)),
        );
        break;
      }
      case 'hosts': {
        const set = new StringSet(values, (text) => text.toLowerCase());
        predicates.push(
          predicate(path, negative, 'l7', true, (c) =>
            c.request ? set.matches(stripPort(c.request.host)) : false,
          ),
        );
        break;
      }
      case 'paths': {
        const matches = pathMatcher(values);
        predicates.push(
          predicate(path, negative, 'l7', true, (c) =>
            c.request ? matches(pathOnly(c.request.path)) : false,
          ),
        );
        break;
      }
    }
  }
  return predicates;
}

function headerValue(request: HttpRequest | undefined, name: string): string | undefined {
  if (!request) {
    return undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted) {
      return value;
    }
  }
  return undefined;
}

/** Builds the membership test of one `when` key, or throws for a key istiod refuses. */
function conditionMember(
  field: string,
  key: string,
  values: readonly string[],
  policyNamespace: string,
): {
  member: (context: EvalContext, point: EnforcementPoint) => boolean | undefined;
  httpOnly: boolean;
} {
  const strings = () => new StringSet(values);
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
    case 'destination.ip': {
      const set = new IpSet(field, values);
      const pick = (c: EvalContext) =>
        key === 'source.ip' ? c.sourceIp : key === 'remote.ip' ? c.remoteIp : c.destinationIp;
      return { member: (c) => ipMember(set, pick(c)), httpOnly: false };
    }
    case 'destination.port': {
      const ports = parsePorts(field, values);
      return { member: (c) => ports.has(c.destinationPort), httpOnly: false };
    }
    case 'source.namespace':
      return { member: namespaceMatcher(values), httpOnly: false };
    case 'source.principal': {
      const set = strings();
      return { member: (c) => set.matches(c.identity?.principal), httpOnly: false };
    }
    case 'source.serviceAccount':
      return { member: serviceAccountMatcher(field, values, policyNamespace), httpOnly: false };
    case 'source.trustDomain': {
      const set = strings();
      return { member: (c) => set.matches(c.identity?.trustDomain), httpOnly: false };
    }
    case 'connection.sni':
      // Cases are plaintext HTTP or HBONE to a pod: no SNI is ever presented.
      return { member: () => false, httpOnly: false };
  }
  if (/^request\.headers\[[^\]]+\]$/.test(key)) {
    const name = key.slice('request.headers['.length, -1);
    const set = strings();
    return { member: (c) => set.matches(headerValue(c.request, name)), httpOnly: true };
  }
  if (/^request\.auth\.(principal|audiences|presenter|claims(\[[^\]]+\])+)$/.test(key)) {
    // Cases carry no JWT, so every request.auth attribute is absent.
    return { member: () => false, httpOnly: true };
  }
  if (/^experimental\.envoy\.filters\.[^\s]+$/.test(key)) {
    // Envoy dynamic metadata the checker cannot know: evaluated pessimistically.
    return { member: () => undefined, httpOnly: false };
  }
  throw new InvalidValueError(
    field.replace(/\.(values|notValues)$/, '.key'),
    `is ${quote(key)}, which istiod does not know; use source.ip, remote.ip, source.namespace, ` +
      'source.principal, source.serviceAccount, source.trustDomain, destination.ip, ' +
      'destination.port, connection.sni, request.headers[<name>], request.auth.principal, ' +
      'request.auth.audiences, request.auth.presenter, request.auth.claims[<name>] ' +
      'or experimental.envoy.filters.*',
  );
}

function readCondition(field: string, raw: YamlMap, policyNamespace: string): Predicate[] {
  rejectUnknownKeys(field, raw, ['key', 'values', 'notValues']);
  const key = readString(`${field}.key`, raw.key);
  const values = nonEmptyStrings(`${field}.values`, raw.values);
  const notValues = nonEmptyStrings(`${field}.notValues`, raw.notValues);
  if (values.length === 0 && notValues.length === 0) {
    throw new InvalidValueError(
      field,
      `(key ${quote(key)}) has neither values nor notValues; istiod's validation requires one`,
    );
  }
  const ztunnel: ZtunnelTreatment = ZTUNNEL_WHEN_KEYS.includes(key) ? 'keep' : 'l7';
  const predicates: Predicate[] = [];
  for (const [list, negative, suffix] of [
    [values, false, 'values'],
    [notValues, true, 'notValues'],
  ] as const) {
    if (list.length > 0) {
      const path = `${field}.${suffix}`;
      const { member, httpOnly } = conditionMember(path, key, list, policyNamespace);
      predicates.push(predicate(path, negative, ztunnel, httpOnly, member));
    }
  }
  return predicates;
}

/**
 * istiod's validation refuses a `from` entry whose source sets no field, and a `to` entry whose
 * operation sets none (pkg/config/validation: "`from.source` must not be empty"), so such a policy
 * never reaches a proxy; deciding with it would give a confident answer about a policy that does
 * not exist.
 */
function requirePopulated(field: string, map: YamlMap): void {
  const populated = Object.values(map).some((value) =>
    Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null,
  );
  if (!populated) {
    throw new InvalidValueError(
      field,
      'sets no field; istiod refuses such a policy ("must not be empty"): give at least one field, ' +
        'or drop the entry',
    );
  }
}

function readRule(field: string, raw: unknown, policyNamespace: string): PolicyRule {
  const rule = readOptionalMap(field, raw);
  rejectUnknownKeys(field, rule, RULE_KEYS);
  const clauses: Clause[] = [];

  const from = readList(`${field}.from`, rule.from);
  if (from.length > 512) {
    throw new InvalidValueError(`${field}.from`, `has ${from.length} entries; the CRD allows 512`);
  }
  if (from.length > 0) {
    clauses.push({
      entries: from.map((item, index) => {
        const entryField = `${field}.from[${index}]`;
        const entry = readOptionalMap(entryField, item);
        rejectUnknownKeys(entryField, entry, ['source']);
        const source = readOptionalMap(`${entryField}.source`, entry.source);
        requirePopulated(`${entryField}.source`, source);
        return { predicates: readSource(`${entryField}.source`, source, policyNamespace) };
      }),
    });
  }

  const to = readList(`${field}.to`, rule.to);
  if (to.length > 0) {
    clauses.push({
      entries: to.map((item, index) => {
        const entryField = `${field}.to[${index}]`;
        const entry = readOptionalMap(entryField, item);
        rejectUnknownKeys(entryField, entry, ['operation']);
        const operation = readOptionalMap(`${entryField}.operation`, entry.operation);
        requirePopulated(`${entryField}.operation`, operation);
        return { predicates: readOperation(`${entryField}.operation`, operation) };
      }),
    });
  }

  readList(`${field}.when`, rule.when).forEach((item, index) => {
    const conditionField = `${field}.when[${index}]`;
    const condition = readMap(conditionField, item);
    clauses.push({
      entries: [{ predicates: readCondition(conditionField, condition, policyNamespace) }],
    });
  });

  const all = clauses.flatMap((clause) => clause.entries.flatMap((entry) => entry.predicates));
  return {
    clauses,
    hasZtunnelL7: all.some((p) => p.ztunnel === 'l7'),
    hasHttpOnly: all.some((p) => p.httpOnly),
    principals: requiredPrincipals(clauses),
  };
}

/**
 * The principals a rule's peer must have, if one clause requires an exact principal in each of
 * its entries. Such a clause holds only when one entry does, and an entry holds only when each of
 * its fields does: at Envoy (a principal is never unknown nor HTTP-only) and at ztunnel (which
 * keeps `principals`) alike.
 */
function requiredPrincipals(clauses: readonly Clause[]): ReadonlySet<string> | undefined {
  for (const clause of clauses) {
    const lists = clause.entries.map(
      (entry) => entry.predicates.find((p) => p.exactPrincipals)?.exactPrincipals,
    );
    if (lists.length > 0 && lists.every((list) => list !== undefined)) {
      return new Set(lists.flat());
    }
  }
  return undefined;
}

/** The union of the rules' principals; undefined when one rule does not restrict its peer. */
function policyPrincipals(rules: readonly PolicyRule[]): ReadonlySet<string> | undefined {
  const union = new Set<string>();
  for (const rule of rules) {
    if (!rule.principals) {
      return undefined;
    }
    rule.principals.forEach((principal) => union.add(principal));
  }
  return union;
}

function readTargetRef(field: string, raw: unknown): PolicyTargetRef {
  const ref = readMap(field, raw);
  rejectUnknownKeys(field, ref, ['group', 'kind', 'name', 'namespace']);
  const kind = readString(`${field}.kind`, ref.kind);
  const name = readString(`${field}.name`, ref.name);
  const group = readOptionalString(`${field}.group`, ref.group) ?? '';
  const namespace = readOptionalString(`${field}.namespace`, ref.namespace) ?? '';
  if (namespace !== '') {
    throw new InvalidValueError(
      `${field}.namespace`,
      `is ${quote(namespace)}; the CRD refuses cross-namespace references, leave it empty`,
    );
  }
  const groups = TARGET_GROUPS[kind];
  if (!groups) {
    throw new InvalidValueError(
      `${field}.kind`,
      `is ${quote(kind)}; istiod accepts ${Object.keys(TARGET_GROUPS).join(', ')}`,
    );
  }
  if (!groups.includes(group)) {
    throw new InvalidValueError(
      `${field}.group`,
      `is ${quote(group)} for kind ${kind}; it must be ${groups.map((g) => quote(g)).join(' or ')}, ` +
        'otherwise the policy attaches to nothing',
    );
  }
  if (name === '') {
    throw new InvalidValueError(`${field}.name`, 'is empty; name the target');
  }
  return { group, kind, name };
}

/**
 * Reads one AuthorizationPolicy object whose namespace is already resolved.
 *
 * Throws an {@link InvalidValueError} whose field is a path inside the object (`spec.rules[0]...`).
 */
export function readAuthorizationPolicy(
  object: YamlMap,
  namespace: string,
  file: string,
): AuthorizationPolicy {
  const metadata = readOptionalMap('metadata', object.metadata);
  const name = readString('metadata.name', metadata.name);
  const annotations = readStringMap('metadata.annotations', metadata.annotations);
  const dryRunText = annotations['istio.io/dry-run'];
  let dryRun = false;
  if (dryRunText !== undefined) {
    const parsed = parseGoBool(dryRunText);
    if (parsed === undefined) {
      throw new InvalidValueError(
        'metadata.annotations.istio.io/dry-run',
        `is ${quote(dryRunText)}; write "true" or "false"`,
      );
    }
    dryRun = parsed;
  }

  const spec = readOptionalMap('spec', object.spec);
  rejectUnknownKeys('spec', spec, SPEC_KEYS);
  const actionText = readOptionalString('spec.action', spec.action) ?? 'ALLOW';
  if (!(ACTIONS as readonly string[]).includes(actionText)) {
    throw new InvalidValueError(
      'spec.action',
      `is ${quote(actionText)}; allowed: ${ACTIONS.join(', ')} (upper case)`,
    );
  }
  const action = actionText as PolicyAction;

  let provider: string | undefined;
  if (spec.provider !== undefined && spec.provider !== null) {
    const providerMap = readMap('spec.provider', spec.provider);
    rejectUnknownKeys('spec.provider', providerMap, ['name']);
    provider = readOptionalString('spec.provider.name', providerMap.name);
  }
  if (action === 'CUSTOM' && !provider) {
    throw new InvalidValueError('spec.provider.name', 'is required with action CUSTOM');
  }
  if (action !== 'CUSTOM' && spec.provider !== undefined) {
    throw new InvalidValueError(
      'spec.provider',
      `is only allowed with action CUSTOM, not ${action}`,
    );
  }

  const attachments = ['selector', 'targetRef', 'targetRefs'].filter(
    (key) => spec[key] !== undefined && spec[key] !== null,
  );
  if (attachments.length > 1) {
    throw new InvalidValueError(
      `spec.${attachments[0]}`,
      `is set together with spec.${attachments[1]}; the CRD allows only one of selector, targetRef, targetRefs`,
    );
  }
  let selector: Record<string, string> | undefined;
  if (spec.selector !== undefined && spec.selector !== null) {
    const selectorMap = readMap('spec.selector', spec.selector);
    rejectUnknownKeys('spec.selector', selectorMap, ['matchLabels']);
    selector = readStringMap('spec.selector.matchLabels', selectorMap.matchLabels);
    for (const [key, value] of Object.entries(selector)) {
      if (key === '' || key.includes('*') || value.includes('*')) {
        throw new InvalidValueError(
          `spec.selector.matchLabels.${key}`,
          `is ${quote(value)}; label keys must be non-empty and neither keys nor values may hold "*"`,
        );
      }
    }
  }
  let targetRefs: PolicyTargetRef[] | undefined;
  if (spec.targetRef !== undefined && spec.targetRef !== null) {
    targetRefs = [readTargetRef('spec.targetRef', spec.targetRef)];
  } else if (spec.targetRefs !== undefined && spec.targetRefs !== null) {
    const list = readList('spec.targetRefs', spec.targetRefs);
    if (list.length > 16) {
      throw new InvalidValueError(
        'spec.targetRefs',
        `has ${list.length} entries; the CRD allows 16`,
      );
    }
    targetRefs = list.map((item, index) => readTargetRef(`spec.targetRefs[${index}]`, item));
  }

  const rawRules = readList('spec.rules', spec.rules);
  if (rawRules.length > 512) {
    throw new InvalidValueError('spec.rules', `has ${rawRules.length} rules; the CRD allows 512`);
  }
  if (rawRules.length === 0 && (action === 'DENY' || action === 'CUSTOM')) {
    throw new InvalidValueError(
      'spec.rules',
      `is empty; istiod's validation refuses a ${action} policy without rules`,
    );
  }
  const rules = rawRules.map((rule, index) => readRule(`spec.rules[${index}]`, rule, namespace));

  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    file,
    action,
    provider,
    dryRun,
    selector,
    targetRefs: targetRefs && targetRefs.length > 0 ? targetRefs : undefined,
    rules,
    principals: policyPrincipals(rules),
  };
}
