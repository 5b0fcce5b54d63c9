/**
 * The value matchers shared by both enforcement points.
 *
 * Istio turns every string of a policy into one of four forms (ztunnel `stringToMatch` in
 * pilot/pkg/serviceregistry/ambient/authorization.go, Envoy `StringMatcherWithPrefix`): exact,
 * `x*` prefix, `*x` suffix and `*` presence (any non-empty value). A `*` anywhere else is a
 * literal character. Matchers are compiled once when a policy is loaded, so a decision never
 * parses a policy again.
 */
import * as ipaddr from 'ipaddr.js';
import { InvalidValueError, quote } from '../names';

/** One compiled string pattern. */
export interface StringPattern {
  /** How `value` is compared. */
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'presence';
  /** The text compared; empty for `presence`. */
  readonly value: string;
}

/** Compiles one policy string the way Istio does (see the module comment). */
export function stringPattern(pattern: string): StringPattern {
  if (pattern === '*') {
    return { kind: 'presence', value: '' };
  }
  if (pattern.startsWith('*')) {
    return { kind: 'suffix', value: pattern.slice(1) };
  }
  if (pattern.endsWith('*')) {
    return { kind: 'prefix', value: pattern.slice(0, -1) };
  }
  return { kind: 'exact', value: pattern };
}

/** Whether `value` matches `pattern`; an absent value matches nothing. */
export function patternMatches(pattern: StringPattern, value: string | undefined): boolean {
  if (value === undefined) {
    return false;
  }
  switch (pattern.kind) {
    case 'exact':
      return value === pattern.value;
    case 'prefix':
      return value.startsWith(pattern.value);
    case 'suffix':
      return value.endsWith(pattern.value);
    case 'presence':
      return value.length > 0;
  }
}

/**
 * A list of patterns of which any may match (the values of one field OR together).
 *
 * Exact values go into a set so that a field listing hundreds of principals costs one lookup.
 */
export class StringSet {
  private readonly exact = new Set<string>();
  private readonly others: StringPattern[] = [];

  constructor(
    patterns: readonly string[],
    private readonly fold: (text: string) => string = (text) => text,
  ) {
    for (const text of patterns) {
      const pattern = stringPattern(fold(text));
      if (pattern.kind === 'exact') {
        this.exact.add(pattern.value);
      } else {
        this.others.push(pattern);
      }
    }
  }

  /** Whether any pattern matches `value`; an absent value matches none. */
  public matches(value: string | undefined): boolean {
    if (value === undefined) {
      return false;
    }
    const folded = this.fold(value);
    return this.exact.has(folded) || this.others.some((pattern) => patternMatches(pattern, folded));
  }
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

const IPV4_DECIMAL = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;

/** Parses an IPv4 or IPv6 address as Go's net.ParseIP would, or returns undefined. */
export function parseAddress(text: string): Address | undefined {
  // ipaddr.js also reads legacy IPv4 forms ("10.1", "0x0a.0.0.1") that Go refuses.
  if (IPV4_DECIMAL.test(text)) {
    return ipaddr.IPv4.isValid(text) ? ipaddr.IPv4.parse(text) : undefined;
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

function parseRange(field: string, text: string): Range {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  const max = address?.kind() === 'ipv4' ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!address || !(prefix <= max)) {
    throw new InvalidValueError(
      field,
      `has ${quote(text)}, which is not an IP address or CIDR (such as 10.0.0.1 or 10.0.0.0/8); ` +
        "istiod's validation refuses the policy",
    );
  }
  // Istio accepts host bits after the prefix (10.1.2.3/8 means 10.0.0.0/8), and so does this.
  return [address, prefix];
}

/** A list of addresses and CIDRs (`ipBlocks`, `source.ip` values) of which any may contain an IP. */
export class IpSet {
  private readonly ranges: Range[];

  constructor(field: string, blocks: readonly string[]) {
    this.ranges = blocks.map((block, index) => parseRange(`${field}[${index}]`, block));
  }

  /** Whether any range contains `ip`; an absent or malformed address is in none. */
  public contains(ip: string | undefined): boolean {
    const address = ip === undefined ? undefined : parseAddress(ip);
    if (!address) {
      return false;
    }
    return this.ranges.some(
      ([base, prefix]) => base.kind() === address.kind() && address.match(base, prefix),
    );
  }
}

/** Parses the `ports` strings of a policy: numbers from 0 to 65535, as istiod validates them. */
export function parsePorts(field: string, ports: readonly string[]): Set<number> {
  const numbers = new Set<number>();
  ports.forEach((text, index) => {
    const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 0 && port <= 65535)) {
      throw new InvalidValueError(
        `${field}[${index}]`,
        `is ${quote(text)}; a port is a number from 0 to 65535 written as a string, ` +
          "and istiod's validation refuses anything else",
      );
    }
    numbers.add(port);
  });
  return numbers;
}
