/**
 * Checks for the Kubernetes names this library writes or refers to.
 *
 * Every check names the field it was given, quotes the bad value and says what is allowed, so a
 * typo in a prop or a config file is reported where the user can fix it instead of being cut,
 * lower-cased or otherwise "repaired" into a name that refers to something else.
 */

/** The longest name Kubernetes accepts for most objects (a DNS-1123 subdomain). */
export const MAX_OBJECT_NAME_LENGTH = 253;

/** The longest namespace name Kubernetes accepts (a DNS-1123 label). */
export const MAX_NAMESPACE_LENGTH = 63;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const LABEL_RULE =
  "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
const SUBDOMAIN_RULE =
  "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', " +
  'each dot-separated part starting and ending with a letter or digit';

/**
 * Thrown when a prop or a config value is not something Istio and Kubernetes would accept.
 *
 * The message reads `<path>: <field> <problem>`; the parts are kept apart so that a caller can
 * name the field the way its user wrote it (a config key, a nested prop) and drop the path.
 */
export class InvalidValueError extends Error {
  constructor(
    /** The prop or config key that holds the bad value, such as `ingress.namespace`. */
    public readonly field: string,
    /** What is wrong with the value and what is allowed instead. */
    public readonly problem: string,
    /** The construct path of the construct that refused the value, if any. */
    public readonly path?: string,
  ) {
    super(`${path ? `${path}: ` : ''}${field} ${problem}`);
    this.name = 'InvalidValueError';
  }

  /** The same error with `prefix` put in front of the field name. */
  public withFieldPrefix(prefix: string): InvalidValueError {
    return new InvalidValueError(`${prefix}${this.field}`, this.problem, this.path);
  }

  /** The same error, attributed to the construct at `path`. */
  public withPath(path: string): InvalidValueError {
    return new InvalidValueError(this.field, this.problem, path);
  }
}

/**
 * The longest rendering of a value in an error message. A value read from hostile input can be
 * megabytes long; the message names it, it need not repeat it.
 */
export const MAX_QUOTED_LENGTH = 1000;

/**
 * Renders a value the way it appears in error messages: strings quoted, everything else as JSON,
 * cut after {@link MAX_QUOTED_LENGTH} characters with the full length said.
 */
export function quote(value: unknown): string {
  if (value === undefined || typeof value === 'symbol' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  const prototype =
    typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : null;
  if (prototype !== null && prototype !== Object.prototype && prototype !== Array.prototype) {
    // A Map, Set or Date (from a YAML tag, say) would show as {} in JSON: name its kind instead.
    return `a ${prototype.constructor?.name ?? 'non-plain object'}`;
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // Circular structures cannot be written as JSON.
    return Object.prototype.toString.call(value);
  }
  return text.length <= MAX_QUOTED_LENGTH
    ? text
    : `${text.slice(0, MAX_QUOTED_LENGTH)}... (${text.length} characters)`;
}

/**
 * Escapes the control characters of `text` (except line breaks and tabs), so that a message that
 * quotes user input cannot move the cursor or recolour a terminal.
 */
export function printable(text: string): string {
  return Array.from(text, (char) => {
    const code = char.charCodeAt(0);
    const control =
      (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f);
    return control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }).join('');
}

/** Returns `value` if it is a string, else throws an error naming `field`. */
export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(field, `must be a string, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` if it is a valid namespace name, else throws an error naming `field`. */
export function validateNamespace(field: string, value: unknown): string {
  const text = requireString(field, value);
  if (text.length === 0 || text.length > MAX_NAMESPACE_LENGTH || !DNS1123_LABEL.test(text)) {
    throw new InvalidValueError(
      field,
      `${quote(text)} is not a valid namespace: use ${LABEL_RULE}, ` +
        `at most ${MAX_NAMESPACE_LENGTH} characters`,
    );
  }
  return text;
}

/** Returns `value` if it is a valid object name (Gateway, GatewayClass, ...), else throws. */
export function validateObjectName(field: string, value: unknown): string {
  const text = requireString(field, value);
  if (text.length === 0 || text.length > MAX_OBJECT_NAME_LENGTH || !DNS1123_SUBDOMAIN.test(text)) {
    throw new InvalidValueError(
      field,
      `${quote(text)} is not a valid Kubernetes name: use ${SUBDOMAIN_RULE}, ` +
        `at most ${MAX_OBJECT_NAME_LENGTH} characters`,
    );
  }
  return text;
}

/**
 * Joins `parts` with '-' into an object name and checks the result, so a prefix that makes the
 * name too long or malformed is reported against `field` (the prop the user controls) instead of
 * being cut to fit.
 */
export function composeName(field: string, parts: readonly string[]): string {
  const name = parts.join('-');
  if (name.length > MAX_OBJECT_NAME_LENGTH) {
    throw new InvalidValueError(
      field,
      `makes the name ${quote(name)} ${name.length} characters long; ` +
        `Kubernetes allows at most ${MAX_OBJECT_NAME_LENGTH}: shorten ${field}`,
    );
  }
  if (!DNS1123_SUBDOMAIN.test(name)) {
    throw new InvalidValueError(
      field,
      `makes the name ${quote(name)} invalid: a name must be ${SUBDOMAIN_RULE}`,
    );
  }
  return name;
}
