/**
 * The parts of ALLOW rules shared by {@link WorkloadAllow} and {@link ServiceAllow}: conditions,
 * operations, and the eager checks of a rule as the user wrote it.
 */
import { checkConditionValue, HTTP_METHOD, ZTUNNEL_WHEN_KEYS } from './allow-policy-check';
import { InvalidValueError, quote } from './names';
import { checkWildcard } from './principals';
import { parsePorts } from './ports';
import { Source } from './source';

/**
 * A `when` condition: the request attribute `key` must have one of `values` and none of
 * `notValues`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export interface Condition {
  /**
   * The attribute, such as `source.ip` or `request.headers[x-tenant]`. A {@link WorkloadAllow}
   * takes only the keys ztunnel evaluates: `source.ip`, `source.namespace`, `source.principal`,
   * `destination.ip`, `destination.port`.
   */
  readonly key: string;

  /**
   * Values of which the attribute must match one.
   *
   * @default - no constraint; then `notValues` is required
   */
  readonly values?: readonly string[];

  /**
   * Values the attribute must match none of.
   *
   * @default - no constraint; then `values` is required
   */
  readonly notValues?: readonly string[];
}

/** The HTTP request a {@link ServiceAllow} rule allows; the fields must all match. */
export interface Operation {
  /**
   * Destination ports. Numbers are written as the strings the schema requires (`8080` becomes
   * `"8080"`); named ports and numbers outside 1 to 65535 are refused.
   *
   * @default - every port
   */
  readonly ports?: readonly number[];

  /**
   * HTTP methods, in upper case (`GET`).
   *
   * @default - every method
   */
  readonly methods?: readonly string[];

  /**
   * URL paths, matched exactly, or as a prefix (`/api/*`) or suffix (`*.png`).
   *
   * @default - every path
   */
  readonly paths?: readonly string[];

  /**
   * Host headers (`Host`/`:authority`), matched exactly or with a leading or trailing `*`.
   *
   * @default - every host
   */
  readonly hosts?: readonly string[];
}

const CONDITION_KEYS = [
  ...ZTUNNEL_WHEN_KEYS,
  'remote.ip',
  'source.serviceAccount',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'connection.sni',
];
const BRACKETED_CONDITION_KEY =
  /^(request\.headers|request\.auth\.claims)\[[^\]\s]+\](\[[^\]\s]+\])*$/;

/** A rendered `when` condition. */
export interface RenderedCondition {
  readonly key: string;
  readonly values?: string[];
  readonly notValues?: string[];
}

/** A rendered `to` entry. */
export interface RenderedOperation {
  readonly operation: {
    ports?: string[];
    methods?: string[];
    paths?: string[];
    hosts?: string[];
  };
}

/** Checks the sources of a rule: a non-empty list made with the {@link Source} factories. */
export function checkSources(field: string, sources: unknown): readonly Source[] {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new InvalidValueError(
      field,
      `is ${quote(sources)}: a rule needs at least one source, because a rule without sources ` +
        'would allow every source (use Source.ipBlocks("0.0.0.0/0") if you really mean anyone)',
    );
  }
  // Array.from turns the holes of a sparse array into undefined, which is then refused.
  Array.from(sources).forEach((source, index) => {
    if (!(source instanceof Source)) {
      throw new InvalidValueError(
        `${field}[${index}]`,
        `is ${quote(source)}; build sources with the Source factories, such as ` +
          'Source.serviceAccount(namespace, name), never as raw values',
      );
    }
  });
  return sources;
}

function checkStrings(field: string, values: unknown): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new InvalidValueError(
      field,
      `is ${quote(values)}: give at least one value, or leave the field out; ` +
        'an empty list would put no constraint on the request',
    );
  }
  return Array.from(values).map((value, index) => {
    if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
      throw new InvalidValueError(
        `${field}[${index}]`,
        `is ${quote(value)}, which is not a non-empty value without spaces`,
      );
    }
    return value;
  });
}

/**
 * Checks and renders `when` conditions. With `ztunnelOnly`, a key that ztunnel does not evaluate
 * is refused: istiod would drop the whole ALLOW rule, so the workload would deny the traffic.
 */
export function renderConditions(
  field: string,
  conditions: unknown,
  ztunnelOnly: boolean,
): RenderedCondition[] | undefined {
  if (conditions === undefined) {
    return undefined;
  }
  if (!Array.isArray(conditions) || conditions.length === 0) {
    throw new InvalidValueError(
      field,
      `is ${quote(conditions)}: give at least one condition, or leave when out`,
    );
  }
  return Array.from(conditions).map((condition: Condition, index) => {
    const where = `${field}[${index}]`;
    const key: unknown = condition?.key;
    if (
      typeof key !== 'string' ||
      !(CONDITION_KEYS.includes(key) || BRACKETED_CONDITION_KEY.test(key))
    ) {
      throw new InvalidValueError(
        `${where}.key`,
        `is ${quote(key)}, which is not a condition key Istio knows: use one of ` +
          `${CONDITION_KEYS.join(', ')}, request.headers[<name>] or request.auth.claims[<claim>]`,
      );
    }
    if (ztunnelOnly && !ZTUNNEL_WHEN_KEYS.includes(key)) {
      throw new InvalidValueError(
        `${where}.key`,
        `is ${quote(key)}, an HTTP attribute: this policy is enforced by ztunnel, which drops ` +
          'every ALLOW rule with such a condition, so the workload would deny this traffic; ' +
          `ztunnel evaluates only ${ZTUNNEL_WHEN_KEYS.join(', ')}; use a ServiceAllow ` +
          '(enforced by the waypoint) for other conditions',
      );
    }
    if (condition.values === undefined && condition.notValues === undefined) {
      throw new InvalidValueError(where, `on ${quote(key)} needs values or notValues`);
    }
    const rendered: { key: string; values?: string[]; notValues?: string[] } = { key };
    if (condition.values !== undefined) {
      rendered.values = checkStrings(`${where}.values`, condition.values);
      rendered.values.forEach((value, i) =>
        checkConditionValue(`${where}.values[${i}]`, key, value),
      );
    }
    if (condition.notValues !== undefined) {
      rendered.notValues = checkStrings(`${where}.notValues`, condition.notValues);
      rendered.notValues.forEach((value, i) =>
        checkConditionValue(`${where}.notValues[${i}]`, key, value),
      );
    }
    return rendered;
  });
}

/** Checks and renders one HTTP operation of a {@link ServiceAllow} rule. */
export function renderOperation(field: string, operation: unknown): RenderedOperation {
  if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) {
    throw new InvalidValueError(field, `must be an operation, got ${quote(operation)}`);
  }
  const given = operation as Record<string, unknown>;
  const known = ['ports', 'methods', 'paths', 'hosts'];
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new InvalidValueError(
        `${field}.${key}`,
        `is not an operation field this library writes; use ${known.join(', ')}`,
      );
    }
  }
  const rendered: RenderedOperation['operation'] = {};
  if (given.ports !== undefined) {
    rendered.ports = parsePorts(`${field}.ports`, given.ports as unknown[]);
  }
  if (given.methods !== undefined) {
    rendered.methods = checkStrings(`${field}.methods`, given.methods).map((method, index) => {
      if (!HTTP_METHOD.test(method)) {
        throw new InvalidValueError(
          `${field}.methods[${index}]`,
          `is ${quote(method)}: Istio compares methods exactly, so write it in upper case ` +
            `(${quote(method.toUpperCase())})`,
        );
      }
      return method;
    });
  }
  if (given.paths !== undefined) {
    rendered.paths = checkStrings(`${field}.paths`, given.paths).map((path, index) => {
      const where = `${field}.paths[${index}]`;
      if (!path.startsWith('/') && !path.startsWith('*')) {
        throw new InvalidValueError(
          where,
          `is ${quote(path)}: a path starts with "/" (or "*" for a suffix match)`,
        );
      }
      // Path templates ({*}, {**}) are Istio's own syntax; only a bare '*' has the prefix/suffix rule.
      checkWildcard(where, path, path.replace(/\{\*\*?\}/g, '_'));
      return path;
    });
  }
  if (given.hosts !== undefined) {
    rendered.hosts = checkStrings(`${field}.hosts`, given.hosts).map((host, index) => {
      checkWildcard(`${field}.hosts[${index}]`, host, host);
      return host;
    });
  }
  if (Object.keys(rendered).length === 0) {
    throw new InvalidValueError(
      field,
      'is empty: an empty operation matches every request; give ports, methods, paths or ' +
        'hosts, or leave out the operation to allow every request from the sources',
    );
  }
  return { operation: rendered };
}

/**
 * Refuses keys a rule type does not have, so that a JavaScript caller (or a TypeScript cast)
 * cannot slip in a field the construct would silently drop.
 */
export function checkRuleKeys(
  field: string,
  rule: unknown,
  allowed: readonly string[],
  explain: (key: string) => string | undefined,
): Record<string, unknown> {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw new InvalidValueError(field, `must be a rule, got ${quote(rule)}`);
  }
  for (const key of Object.keys(rule)) {
    if (!allowed.includes(key)) {
      throw new InvalidValueError(
        `${field}.${key}`,
        explain(key) ?? `is not a field of this rule; the fields are ${allowed.join(', ')}`,
      );
    }
  }
  return rule as Record<string, unknown>;
}

/** Checks that the `rules` prop is a list (its rules are checked one by one as they are added). */
export function checkRuleList<T>(rules: readonly T[]): readonly T[] {
  if (!Array.isArray(rules)) {
    throw new InvalidValueError('rules', `must be a list of rules, got ${quote(rules)}`);
  }
  return rules;
}
