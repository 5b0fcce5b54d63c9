import * as ipaddr from 'ipaddr.js';
import { InvalidValueError, quote } from './names';

/** Source address ranges as Istio's `ipBlocks` takes them: a list, or one comma-separated string. */
export type IpBlocksInput = readonly string[] | string;

const IPV4_DECIMAL = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;
const PREFIX_LENGTH = /^(0|[1-9][0-9]{0,2})$/;

const ALLOWED =
  'an IPv4 or IPv6 address (such as 192.0.2.10 or 2001:db8::1) or CIDR (such as 10.0.0.0/8 or 2001:db8::/32)';

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // ipaddr.js also accepts legacy IPv4 forms ("10.1", "0x0a.0.0.1", "010.0.0.1") that Istio's
  // Go parser rejects, so IPv4 must be four plain decimal parts before it is parsed.
  if (IPV4_DECIMAL.test(text)) {
    return ipaddr.IPv4.isValid(text) ? ipaddr.IPv4.parse(text) : undefined;
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    // An IPv4 tail (`::ffff:192.0.2.1`) must be plain decimal too.
    const tail = text.slice(text.lastIndexOf(':') + 1);
    if (tail.includes('.') && !IPV4_DECIMAL.test(tail)) {
      return undefined;
    }
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

/**
 * Checks one `ipBlocks` entry and returns it trimmed.
 *
 * A CIDR whose address has bits set beyond its prefix (`10.1.2.3/8`) is refused even though Istio
 * would accept it: it opens the whole range, which is rarely what the writer meant.
 */
export function parseIpBlock(field: string, entry: string): string {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) {
    throw new InvalidValueError(field, `has ${quote(text)}, which is not ${ALLOWED}`);
  }
  if (slash === -1) {
    return text;
  }

  const prefixText = text.slice(slash + 1);
  const maxPrefix = address.kind() === 'ipv4' ? 32 : 128;
  const prefix = PREFIX_LENGTH.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= maxPrefix)) {
    throw new InvalidValueError(
      field,
      `has ${quote(text)} with prefix length ${quote(prefixText)}; ` +
        `an ${address.kind()} prefix length is a whole number from 0 to ${maxPrefix}`,
    );
  }

  const networkAddress =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addressText}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addressText}/${prefix}`);
  if (networkAddress.toString() !== address.toString()) {
    throw new InvalidValueError(
      field,
      `has ${quote(text)}, which has bits set after its /${prefix} prefix, so it would open all of ` +
        `${networkAddress.toString()}/${prefix}; write ${quote(`${networkAddress.toString()}/${prefix}`)} ` +
        `if you mean that range, or ${quote(`${addressText}/${maxPrefix}`)} for the one address`,
    );
  }
  return text;
}

/**
 * Parses `ipBlocks` given as a list or as a comma-separated string (the form of the
 * istio-ingress-k8s charm's `external-traffic-policy-cidrs` option).
 *
 * Blank entries are skipped and repeated entries kept once. An input left with no entry is an
 * error, because `ipBlocks: []` in a policy matches every source instead of none.
 */
export function parseIpBlocks(field: string, input: IpBlocksInput): string[] {
  let entries: readonly unknown[];
  if (typeof input === 'string') {
    entries = input.split(',');
  } else if (Array.isArray(input)) {
    entries = input;
  } else {
    throw new InvalidValueError(
      field,
      `must be a list of CIDRs or a comma-separated string, got ${quote(input)}`,
    );
  }

  // A Set keeps the first of repeated entries in order, in linear time even for huge lists.
  const blocks = new Set<string>();
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    if (typeof entry !== 'string') {
      throw new InvalidValueError(`${field}[${index}]`, `must be a string, got ${quote(entry)}`);
    }
    if (entry.trim() !== '') {
      blocks.add(parseIpBlock(field, entry));
    }
  }

  if (blocks.size === 0) {
    throw new InvalidValueError(
      field,
      `${quote(input)} holds no address: give at least one; ` +
        'an empty ipBlocks list would match every source, ' +
        'use "0.0.0.0/0" (and "::/0") to allow the whole internet on purpose',
    );
  }
  return [...blocks];
}
