// Envoy enforcement at waypoints and ingress gateways (reference sections 1, 3 and 4:
// pilot/pkg/security/authz/builder and model, `checkError` in model.go for TCP chains).
import { envoyPolicyMatches, envoyVerdict } from '../../lib/check/envoy';
import { ctx, http, id, policy } from '../support/check-helpers';

const CURL = id('default', 'curl');

describe('Envoy L7 matching on an HTTP chain', () => {
  test('methods are exact, case-sensitive', () => {
    const p = policy({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(envoyPolicyMatches(p, ctx({ request: http({ method: 'GET' }) }))).toBe(true);
    expect(envoyPolicyMatches(p, ctx({ request: http({ method: 'get' }) }))).toBe(false);
    expect(envoyPolicyMatches(p, ctx({ request: http({ method: 'DELETE' }) }))).toBe(false);
  });

  test('paths: exact, prefix, suffix, presence; the query string is ignored', () => {
    const p = (path: string) => policy({ rules: [{ to: [{ operation: { paths: [path] } }] }] });
    const at = (path: string) => ctx({ request: http({ path }) });
    expect(envoyPolicyMatches(p('/exact'), at('/exact?x=1'))).toBe(true);
    expect(envoyPolicyMatches(p('/exact'), at('/exact/more'))).toBe(false);
    expect(envoyPolicyMatches(p('/prefix/*'), at('/prefix/a/b'))).toBe(true);
    expect(envoyPolicyMatches(p('*/suffix'), at('/a/suffix'))).toBe(true);
    expect(envoyPolicyMatches(p('*'), at('/anything'))).toBe(true);
  });

  // istiod hands `{*}`/`{**}` to Envoy's uri_template matcher as `*`/`**`
  // (pilot/pkg/security/authz/matcher/template.go). Envoy's uri_template_match.proto: "`*`:
  // Matches a single path component, up to the next path separator: /" and "`**`: Matches zero or
  // more path segments"; uri_template_internal.cc compiles them to `[pchar]+` and `[pchar/]*`.
  test('path templates: {*} is one non-empty segment, {**} zero or more segments', () => {
    const p = policy({ rules: [{ to: [{ operation: { paths: ['/a/{*}/c', '/x/{**}'] } }] }] });
    const at = (path: string) => ctx({ request: http({ path }) });
    expect(envoyPolicyMatches(p, at('/a/b/c'))).toBe(true);
    expect(envoyPolicyMatches(p, at('/a/b/b/c'))).toBe(false);
    expect(envoyPolicyMatches(p, at('/a//c'))).toBe(false);
    expect(envoyPolicyMatches(p, at('/x/1/2/3'))).toBe(true);
    expect(envoyPolicyMatches(p, at('/x/1/2/3?q=1'))).toBe(true);
  });

  test('{**} matches zero segments and empty segments; the "/" before it stays literal', () => {
    const deny = policy({
      action: 'DENY',
      rules: [{ to: [{ operation: { paths: ['/internal/{**}', '/{**}/secret'] } }] }],
    });
    const at = (path: string) => ctx({ request: http({ path }) });
    expect(envoyPolicyMatches(deny, at('/internal/'))).toBe(true);
    expect(envoyPolicyMatches(deny, at('/internal//x'))).toBe(true);
    expect(envoyPolicyMatches(deny, at('/internal/a/b/'))).toBe(true);
    expect(envoyPolicyMatches(deny, at('/internal'))).toBe(false);
    expect(envoyPolicyMatches(deny, at('/internals'))).toBe(false);
    expect(envoyPolicyMatches(deny, at('//secret'))).toBe(true);
    expect(envoyPolicyMatches(deny, at('/a/b/secret'))).toBe(true);
    expect(envoyPolicyMatches(deny, at('/secret'))).toBe(false);
  });

  test('template operators match only Envoy\'s pchar set, which leaves out "*"', () => {
    const p = policy({ rules: [{ to: [{ operation: { paths: ['/a/{*}', '/b/{**}'] } }] }] });
    const at = (path: string) => ctx({ request: http({ path }) });
    expect(envoyPolicyMatches(p, at("/a/x-._~!$&'()+,;:@=%41"))).toBe(true);
    expect(envoyPolicyMatches(p, at('/a/*'))).toBe(false);
    expect(envoyPolicyMatches(p, at('/b/x/*'))).toBe(false);
  });

  test('braces without {*} or {**} are no template (istiod IsPathTemplate): prefix still works', () => {
    const p = policy({ rules: [{ to: [{ operation: { paths: ['/a{b}*'] } }] }] });
    const at = (path: string) => ctx({ request: http({ path }) });
    expect(envoyPolicyMatches(p, at('/a{b}/more'))).toBe(true);
  });

  test('hosts are case-insensitive and ignore the port', () => {
    const p = policy({
      rules: [{ to: [{ operation: { hosts: ['*.example.com', 'API.test'] } }] }],
    });
    expect(envoyPolicyMatches(p, ctx({ request: http({ host: 'www.Example.com:8080' }) }))).toBe(
      true,
    );
    expect(envoyPolicyMatches(p, ctx({ request: http({ host: 'api.test' }) }))).toBe(true);
    expect(envoyPolicyMatches(p, ctx({ request: http({ host: 'example.org' }) }))).toBe(false);
  });

  test('request.headers[...] conditions: names case-insensitive, values OR, notValues none', () => {
    const p = policy({
      rules: [
        {
          when: [
            { key: 'request.headers[X-User]', values: ['alice', 'bob*'], notValues: ['bobby'] },
          ],
        },
      ],
    });
    const at = (value?: string) =>
      ctx({ request: http({ headers: value ? { 'x-user': value } : {} }) });
    expect(envoyPolicyMatches(p, at('alice'))).toBe(true);
    expect(envoyPolicyMatches(p, at('bob2'))).toBe(true);
    expect(envoyPolicyMatches(p, at('bobby'))).toBe(false);
    expect(envoyPolicyMatches(p, at())).toBe(false);
  });

  test('namespaces: a middle * works in Envoy (regex .*/ns/<ns>/.*), unlike ztunnel', () => {
    const p = policy({ rules: [{ from: [{ source: { namespaces: ['team-*-prod'] } }] }] });
    expect(envoyPolicyMatches(p, ctx({ identity: id('team-a-prod', 'sa'), request: http() }))).toBe(
      true,
    );
    expect(envoyPolicyMatches(p, ctx({ identity: id('team-a-dev', 'sa'), request: http() }))).toBe(
      false,
    );
  });

  test('trustDomains are enforced in Envoy (1.30.2+)', () => {
    const p = policy({ rules: [{ from: [{ source: { trustDomains: ['cluster.local'] } }] }] });
    expect(envoyPolicyMatches(p, ctx({ identity: CURL, request: http() }))).toBe(true);
    expect(
      envoyPolicyMatches(p, ctx({ identity: { ...CURL, trustDomain: 'x' }, request: http() })),
    ).toBe(false);
  });

  test('requestPrincipals never match: cases carry no JWT; notRequestPrincipals is satisfied', () => {
    const positive = policy({ rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] });
    const negative = policy({ rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] });
    expect(envoyPolicyMatches(positive, ctx({ request: http() }))).toBe(false);
    expect(envoyPolicyMatches(negative, ctx({ request: http() }))).toBe(true);
  });

  test('an empty source or operation entry is refused, as istiod refuses it (never reaches Envoy)', () => {
    expect(() => policy({ rules: [{ from: [{ source: {} }] }] })).toThrow(
      'spec.rules[0].from[0].source sets no field; istiod refuses such a policy',
    );
    expect(() => policy({ rules: [{ to: [{ operation: { methods: [] } }] }] })).toThrow(
      'spec.rules[0].to[0].operation sets no field',
    );
  });
});

describe('Envoy on a TCP chain (model.go checkError, section 3)', () => {
  test('an ALLOW rule with an HTTP-only field is skipped', () => {
    const p = policy({
      rules: [
        {
          from: [{ source: { principals: [CURL.principal] } }],
          to: [{ operation: { methods: ['GET'] } }],
        },
      ],
    });
    expect(envoyPolicyMatches(p, ctx({ identity: CURL }))).toBe(false);
  });

  test('a DENY ignores its HTTP-only fields: methods:[GET] denies all TCP', () => {
    const p = policy({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(envoyPolicyMatches(p, ctx({ identity: CURL }))).toBe(true);
  });
});

describe('envoyVerdict', () => {
  test('a matching CUSTOM policy is reported as deny: ext-authz cannot be evaluated offline', () => {
    const custom = policy(
      { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] },
      { name: 'ext' },
    );
    const verdict = envoyVerdict([custom], ctx({ request: http() }));
    expect(verdict.allowed).toBe(false);
    expect(verdict.policy?.id).toBe('default/ext');
    expect(verdict.reason).toContain('ext-authz provider "opa"');
  });

  test('a CUSTOM policy that does not match leaves the decision to DENY and ALLOW', () => {
    const custom = policy({
      action: 'CUSTOM',
      provider: { name: 'opa' },
      rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
    });
    expect(envoyVerdict([custom], ctx({ request: http() })).allowed).toBe(true);
  });
});
