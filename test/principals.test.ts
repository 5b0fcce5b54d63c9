import { parsePrincipal } from '../lib';
import { checkWildcard, serviceAccountPrincipal, validateTrustDomain } from '../lib/principals';

describe('parsePrincipal', () => {
  test('strips one leading spiffe://', () => {
    expect(parsePrincipal('p', 'spiffe://cluster.local/ns/a/sa/b')).toBe('cluster.local/ns/a/sa/b');
    expect(parsePrincipal('p', 'cluster.local/ns/a/sa/b')).toBe('cluster.local/ns/a/sa/b');
  });

  test('fails on a value that is not a string', () => {
    expect(() => parsePrincipal('p', 3)).toThrow('p must be a string, got 3');
  });
});

describe('checkWildcard', () => {
  test.each(['*', 'a*', '*a', 'abc'])('accepts %p', (value) => {
    expect(() => checkWildcard('f', value, value)).not.toThrow();
  });

  test.each(['a*b', '*a*', 'a**', '**'])('fails on %p', (value) => {
    expect(() => checkWildcard('f', value, value)).toThrow(
      `f has ${JSON.stringify(value)} with a '*' in the middle or at both ends`,
    );
  });
});

describe('validateTrustDomain', () => {
  test('accepts a DNS-like trust domain', () => {
    expect(validateTrustDomain('trustDomain', 'cluster.local')).toBe('cluster.local');
    expect(validateTrustDomain('trustDomain', 'prod_1.example')).toBe('prod_1.example');
  });

  test.each(['', 'Cluster.local', 'a/b', 'spiffe://cluster.local', 3])('fails on %p', (value) => {
    expect(() => validateTrustDomain('trustDomain', value)).toThrow(
      `trustDomain ${JSON.stringify(value)} is not a trust domain: use lowercase letters, digits, '.', '-' and '_'`,
    );
  });
});

test('serviceAccountPrincipal writes <td>/ns/<ns>/sa/<sa>', () => {
  expect(serviceAccountPrincipal('cluster.local', 'default', 'waypoint')).toBe(
    'cluster.local/ns/default/sa/waypoint',
  );
});
