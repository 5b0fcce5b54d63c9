// The four string forms of Istio (reference section 4: ztunnel `stringToMatch`, Envoy
// `StringMatcherWithPrefix`), CIDR sets and port lists.
import {
  IpSet,
  StringSet,
  parseAddress,
  parsePorts,
  patternMatches,
  stringPattern,
} from '../../lib/check/match';

describe('stringPattern', () => {
  test.each([
    ['abc', 'exact', 'abc'],
    ['abc*', 'prefix', 'abc'],
    ['*abc', 'suffix', 'abc'],
    ['*', 'presence', ''],
    ['a*c', 'exact', 'a*c'],
  ])('%s is %s', (text, kind, value) => {
    expect(stringPattern(text)).toEqual({ kind, value });
  });

  test('presence needs a non-empty value; an absent value matches nothing', () => {
    expect(patternMatches(stringPattern('*'), '')).toBe(false);
    expect(patternMatches(stringPattern('*'), 'x')).toBe(true);
    expect(patternMatches(stringPattern('x'), undefined)).toBe(false);
  });
});

describe('StringSet', () => {
  test('any pattern may match; the fold applies to both sides', () => {
    const set = new StringSet(['A.com', '*.b.com'], (t) => t.toLowerCase());
    expect(set.matches('a.com')).toBe(true);
    expect(set.matches('x.B.com')).toBe(true);
    expect(set.matches('c.com')).toBe(false);
  });
});

describe('IpSet', () => {
  test('contains addresses by CIDR, single addresses as /32 and /128, per family', () => {
    const set = new IpSet('ipBlocks', ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
    expect(set.contains('10.255.0.1')).toBe(true);
    expect(set.contains('192.0.2.1')).toBe(true);
    expect(set.contains('192.0.2.2')).toBe(false);
    expect(set.contains('2001:db8::1')).toBe(true);
    expect(set.contains('::ffff:10.0.0.1')).toBe(false);
  });

  test('accepts host bits after the prefix, as Istio does', () => {
    expect(new IpSet('f', ['10.1.2.3/8']).contains('10.9.9.9')).toBe(true);
  });

  test('fails on a malformed block, naming the entry', () => {
    expect(() => new IpSet('ipBlocks', ['10.0.0.0/8', '10.0.0/8'])).toThrow(
      'ipBlocks[1] has "10.0.0/8", which is not an IP address or CIDR (such as 10.0.0.1 or 10.0.0.0/8); ' +
        "istiod's validation refuses the policy",
    );
    expect(() => new IpSet('f', ['10.0.0.0/33'])).toThrow('f[0] has "10.0.0.0/33"');
  });

  test('parseAddress refuses legacy IPv4 forms Go refuses', () => {
    expect(parseAddress('10.1')).toBeUndefined();
    expect(parseAddress('010.0.0.1')).toBeUndefined();
    expect(parseAddress('10.0.0.1')?.toString()).toBe('10.0.0.1');
  });
});

describe('parsePorts', () => {
  test('reads numeric strings', () => {
    expect([...parsePorts('ports', ['80', '9080'])]).toEqual([80, 9080]);
  });

  test('fails on a named or out-of-range port', () => {
    expect(() => parsePorts('ports', ['http'])).toThrow(
      'ports[0] is "http"; a port is a number from 0 to 65535 written as a string, ' +
        "and istiod's validation refuses anything else",
    );
    expect(() => parsePorts('ports', ['1', '70000'])).toThrow('ports[1] is "70000"');
  });
});
