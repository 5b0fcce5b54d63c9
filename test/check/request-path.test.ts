// Request paths under Istio's default path normalization, BASE
// (https://istio.io/latest/docs/reference/config/security/normalization/): percent-encoded
// unreserved characters decoded, "\" to "/", dot segments removed per RFC 3986 5.2.4, slashes
// not merged, %2F/%5C not decoded, %00 rejected with 400.
import { normalizeRequestPath, removeDotSegments } from '../../lib/check/request-path';

const norm = (path: string) => normalizeRequestPath('request.path', path);

describe('removeDotSegments (RFC 3986 section 5.2.4)', () => {
  test.each([
    ['/a/b/c/./../../g', '/a/g'],
    ['/mid/content=5/../6', '/mid/6'],
    ['/x/../admin', '/admin'],
    ['/a/..', '/'],
    ['/a/.', '/a/'],
    ['/..', '/'],
    ['/../../admin', '/admin'],
    ['/a//../b', '/a/b'],
    ['/a/b', '/a/b'],
    ['/', '/'],
  ])('%s is %s', (input, output) => {
    expect(removeDotSegments(input)).toBe(output);
  });
});

describe('normalizeRequestPath', () => {
  test('removes dot segments, as the normalization page\'s "/public/./data/abc/../xyz" example', () => {
    expect(norm('/public/./data/abc/../xyz')).toBe('/public/data/xyz');
    expect(norm('/x/../admin')).toBe('/admin');
  });

  test('decodes percent-encoded unreserved characters once, in either case of hex digit', () => {
    expect(norm('/%61%62%63')).toBe('/abc');
    expect(norm('/%41%5a%30%39%2D%5F%7e')).toBe('/AZ09-_~');
    // %2e is "." and takes part in dot-segment removal.
    expect(norm('/x/%2e%2E/admin')).toBe('/admin');
    expect(norm('/x/.%2e/admin')).toBe('/admin');
  });

  test('turns backslashes into slashes before removing dot segments', () => {
    expect(norm('/some\\data')).toBe('/some/data');
    expect(norm('/x\\..\\admin')).toBe('/admin');
  });

  test('keeps repeated slashes (merging them is MERGE_SLASHES, not the default)', () => {
    expect(norm('/a//b')).toBe('/a//b');
  });

  test('keeps the query string as it is and does not normalize it', () => {
    expect(norm('/x/../admin?next=/a/../b&q=%41')).toBe('/admin?next=/a/../b&q=%41');
  });

  test.each<[string, string, string]>([
    ['relative', 'x', 'request.path is "x"; a request path starts with "/"'],
    [
      '%2F, decoded only by DECODE_AND_MERGE_SLASHES',
      '/a%2Fb',
      `request.path is "/a%2Fb": Istio's default path normalization (BASE) decodes only percent-encoded letters, digits, "-", ".", "_" and "~"; what Envoy does with "%2F" depends on settings the checker cannot see, so decode it or leave it out`,
    ],
    ['%5c', '/a%5cb', 'what Envoy does with "%5c" depends on settings'],
    ['%20', '/a%20b', 'what Envoy does with "%20" depends on settings'],
    ['a double encoding', '/%252e', 'what Envoy does with "%25" depends on settings'],
    [
      '%00',
      '/a%00',
      'request.path is "/a%00": Envoy answers a path with %00 with 400 before any policy applies',
    ],
    [
      'a broken escape',
      '/a%zz',
      'request.path is "/a%zz": "%zz" is not a percent-encoding ("%" and two hex digits)',
    ],
    ['a short escape', '/a%4', '"%4" is not a percent-encoding'],
    [
      'a space',
      '/a b',
      'request.path is "/a b": " " is not a character of an RFC 3986 path or query, and what Envoy does with it is not known offline; write the request as it is sent on the wire',
    ],
    ['a non-ASCII letter', '/caf\u00e9', '"é" is not a character of an RFC 3986 path'],
    ['a control character', '/a\u001b[31m', '"\\u001b" is not a character of an RFC 3986 path'],
    ['a "<" in the query', '/a?x=<b>', '"<" is not a character of an RFC 3986 path or query'],
    [
      'a fragment',
      '/a#top',
      'request.path is "/a#top": a client never sends a fragment ("#..."); leave it out',
    ],
  ])('refuses %s', (_, path, message) => {
    expect(() => norm(path)).toThrow(message);
  });
});
