import { parseIpBlock, parseIpBlocks } from '../lib/ip-blocks';

describe('parseIpBlock', () => {
  test.each([
    ['192.0.2.10', '192.0.2.10'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.0.2.10/32', '192.0.2.10/32'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['  10.1.0.0/16\t', '10.1.0.0/16'],
  ])('accepts %j', (input, expected) => {
    expect(parseIpBlock('cidrs', input)).toBe(expected);
  });

  // Istio parses ipBlocks with Go's net/netip, which refuses every legacy IPv4 form.
  test.each([
    '10.1',
    '0x0a.0.0.1',
    '010.0.0.1',
    '10.0.0.256',
    '1.2.3.4.5',
    'example.com',
    '',
    'fe80::1%eth0',
    '2001:db8:::1',
  ])('fails on %j', (input) => {
    expect(() => parseIpBlock('cidrs', input)).toThrow(
      `cidrs has ${JSON.stringify(input)}, which is not an IPv4 or IPv6 address (such as 192.0.2.10 or 2001:db8::1) or CIDR`,
    );
  });

  test.each([
    ['10.0.0.0/33', 'ipv4', '0 to 32'],
    ['10.0.0.0/-1', 'ipv4', '0 to 32'],
    ['10.0.0.0/', 'ipv4', '0 to 32'],
    ['10.0.0.0/08', 'ipv4', '0 to 32'],
    ['2001:db8::/129', 'ipv6', '0 to 128'],
  ])('fails on the prefix length of %j', (input, kind, range) => {
    expect(() => parseIpBlock('cidrs', input)).toThrow(
      `an ${kind} prefix length is a whole number from ${range}`,
    );
  });

  // The IPv4 tail of an IPv6 address follows the same rule as a plain IPv4 address.
  test.each(['::ffff:010.0.0.1', '::ffff:0x0a.0.0.1', '::ffff:1.2.3.04'])(
    'fails on %j',
    (input) => {
      expect(() => parseIpBlock('cidrs', input)).toThrow(
        `cidrs has ${JSON.stringify(input)}, which is not`,
      );
    },
  );

  test('fails on host bits after the prefix, naming both readings', () => {
    expect(() => parseIpBlock('cidrs', '10.1.2.3/8')).toThrow(
      'cidrs has "10.1.2.3/8", which has bits set after its /8 prefix, so it would open all of 10.0.0.0/8; ' +
        'write "10.0.0.0/8" if you mean that range, or "10.1.2.3/32" for the one address',
    );
    expect(() => parseIpBlock('cidrs', '2001:db8::1/32')).toThrow(
      'would open all of 2001:db8::/32',
    );
  });
});

describe('parseIpBlocks', () => {
  test('splits a comma-separated string, skips blanks and keeps repeated entries once', () => {
    expect(parseIpBlocks('cidrs', '10.0.0.0/8,, 10.0.0.0/8 ,192.0.2.1')).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
    ]);
  });

  test('handles a very long list in linear time (no quadratic de-duplication)', () => {
    const many = Array.from({ length: 60_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expect(parseIpBlocks('cidrs', [...many, ...many])).toHaveLength(60_000);
  });

  test('keeps the order given, so the output is stable', () => {
    expect(parseIpBlocks('cidrs', ['192.0.2.1', '10.0.0.0/8'])).toEqual([
      '192.0.2.1',
      '10.0.0.0/8',
    ]);
  });

  test('fails on an empty result', () => {
    expect(() => parseIpBlocks('cidrs', [])).toThrow('cidrs [] holds no address');
    expect(() => parseIpBlocks('cidrs', '')).toThrow('cidrs "" holds no address');
    expect(() => parseIpBlocks('cidrs', ['  '])).toThrow('cidrs ["  "] holds no address');
  });

  test('fails on a non-string entry, naming its index', () => {
    expect(() => parseIpBlocks('cidrs', ['10.0.0.0/8', 42 as unknown as string])).toThrow(
      'cidrs[1] must be a string, got 42',
    );
  });

  test('fails on input that is neither a list nor a string', () => {
    expect(() => parseIpBlocks('cidrs', { a: 1 } as unknown as string)).toThrow(
      'cidrs must be a list of CIDRs or a comma-separated string, got {"a":1}',
    );
  });
});
