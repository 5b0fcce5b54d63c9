// ztunnel's L4 enforcement. Each test names the upstream behaviour it pins, from
// ../shared/reference/ambient-authorization.md (sections 1, 3 and 4: istiod
// pilot/pkg/serviceregistry/ambient/authorization.go `handleRule`, ztunnel src/rbac.rs).
import { ztunnelPolicyMatches, ztunnelVerdict } from '../../lib/check/ztunnel';
import { ctx, id, policy } from '../support/check-helpers';

const X = id('ns-x', 'x');
const Y = id('ns-y', 'y');

describe('ztunnel rule matching', () => {
  test('spec {} (no rules) matches nothing: rbac.rs l.100 `if self.rules.is_empty() return false`', () => {
    expect(ztunnelPolicyMatches(policy({}), ctx({ identity: X }))).toBe(false);
  });

  test('rules [{}] matches everything: rbac.rs test rbac_empty_policy', () => {
    expect(ztunnelPolicyMatches(policy({ rules: [{}] }), ctx())).toBe(true);
    expect(ztunnelPolicyMatches(policy({ action: 'DENY', rules: [{}] }), ctx())).toBe(true);
  });

  test('principals compare the SPIFFE id without spiffe:// (section 4)', () => {
    const p = policy({ rules: [{ from: [{ source: { principals: [X.principal] } }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: Y }))).toBe(false);
  });

  test('plaintext matches no positive identity field and satisfies every notX (rbac.rs not_* tests)', () => {
    const positive = policy({
      rules: [{ from: [{ source: { principals: ['*'] } }] }],
    });
    const negative = policy({
      rules: [
        {
          from: [{ source: { notPrincipals: ['*'], notNamespaces: ['*'] } }],
        },
      ],
    });
    const accounts = policy({ rules: [{ from: [{ source: { notServiceAccounts: ['a/b'] } }] }] });
    expect(ztunnelPolicyMatches(positive, ctx())).toBe(false);
    expect(ztunnelPolicyMatches(negative, ctx())).toBe(true);
    expect(ztunnelPolicyMatches(accounts, ctx())).toBe(true);
  });

  test('a middle * is literal at ztunnel (stringToMatch l.677-700)', () => {
    const p = policy({ rules: [{ from: [{ source: { namespaces: ['ns-*-x'] } }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ identity: id('ns-a-x', 'sa') }))).toBe(false);
    expect(ztunnelPolicyMatches(p, ctx({ identity: id('ns-*-x', 'sa') }))).toBe(true);
  });

  test('ports match the destination (pod) port (section 2, istio/api#3075)', () => {
    const p = policy({ rules: [{ to: [{ operation: { ports: ['9080'] } }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ destinationPort: 9080 }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ destinationPort: 80 }))).toBe(false);
  });

  test('when conditions are separate AND clauses; values OR (section 0)', () => {
    const p = policy({
      rules: [
        {
          when: [
            { key: 'source.namespace', values: ['ns-x', 'ns-z'] },
            { key: 'destination.port', values: ['8080'] },
          ],
        },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: X, destinationPort: 1 }))).toBe(false);
    expect(ztunnelPolicyMatches(p, ctx({ identity: Y }))).toBe(false);
  });

  test('serviceAccounts: ns/sa or bare sa in the policy namespace, trust domain ignored (section 4)', () => {
    const p = policy(
      { rules: [{ from: [{ source: { serviceAccounts: ['ns-x/x', 'local'] } }] }] },
      { namespace: 'mine' },
    );
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: { ...X, trustDomain: 'other' } }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: id('mine', 'local') }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: id('other', 'local') }))).toBe(false);
  });

  test('ipBlocks use CIDR containment on the peer address', () => {
    const p = policy({
      rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8', '2001:db8::/32'] } }] }],
    });
    expect(ztunnelPolicyMatches(p, ctx({ sourceIp: '10.1.2.3' }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ sourceIp: '2001:db8::5' }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ sourceIp: '192.0.2.1' }))).toBe(false);
  });

  test('an unknown peer address never widens: no ALLOW match, DENY match', () => {
    const rule = { from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] };
    expect(ztunnelPolicyMatches(policy({ rules: [rule] }), ctx())).toBe(false);
    expect(ztunnelPolicyMatches(policy({ action: 'DENY', rules: [rule] }), ctx())).toBe(true);
  });
});

describe('HTTP-only fields at ztunnel (section 3)', () => {
  test('ALLOW: an L7 field drops the whole rule, even its L4 from (handleRule)', () => {
    const p = policy({
      rules: [
        {
          from: [{ source: { principals: [X.principal] } }],
          to: [{ operation: { methods: ['GET'] } }],
        },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(false);
  });

  test('ALLOW: other rules without L7 fields are kept', () => {
    const p = policy({
      rules: [
        { to: [{ operation: { paths: ['/x'] } }] },
        { from: [{ source: { principals: [X.principal] } }] },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
  });

  test('ALLOW: an L7 when key (request.headers) drops the rule', () => {
    const p = policy({ rules: [{ when: [{ key: 'request.headers[x]', values: ['1'] }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(false);
  });

  test('DENY to methods:[POST] (no ports) is a no-op', () => {
    const p = policy({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(false);
  });

  test('DENY to methods:[POST], ports:["8080"] denies all traffic to 8080', () => {
    const p = policy({
      action: 'DENY',
      rules: [{ to: [{ operation: { methods: ['POST'], ports: ['8080'] } }] }],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X, destinationPort: 8080 }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: X, destinationPort: 9090 }))).toBe(false);
  });

  test('DENY from principals:[X] + to methods:[GET] is a no-op (AND with an empty clause)', () => {
    const p = policy({
      action: 'DENY',
      rules: [
        {
          from: [{ source: { principals: [X.principal] } }],
          to: [{ operation: { methods: ['GET'] } }],
        },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(false);
  });

  test('DENY from principals:[X] + when request.headers is a no-op', () => {
    const p = policy({
      action: 'DENY',
      rules: [
        {
          from: [{ source: { principals: [X.principal] } }],
          when: [{ key: 'request.headers[x-user]', values: ['a'] }],
        },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(false);
  });

  test('DENY from [{principals:[X], requestPrincipals:[Y]}] denies X (stripped field)', () => {
    const p = policy({
      action: 'DENY',
      rules: [
        { from: [{ source: { principals: [X.principal], requestPrincipals: ['iss/sub'] } }] },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: Y }))).toBe(false);
  });

  test('DENY from [{principals:[X]}, {requestPrincipals:[Y]}] denies X only (empty entry skipped)', () => {
    const p = policy({
      action: 'DENY',
      rules: [
        {
          from: [
            { source: { principals: [X.principal] } },
            { source: { requestPrincipals: ['iss/sub'] } },
          ],
        },
      ],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: X }))).toBe(true);
    expect(ztunnelPolicyMatches(p, ctx({ identity: Y }))).toBe(false);
  });

  test('DENY rules [{}, {from: notRequestPrincipals}] is still deny-all via {}', () => {
    const p = policy({
      action: 'DENY',
      rules: [{}, { from: [{ source: { notRequestPrincipals: ['*'] } }] }],
    });
    expect(ztunnelPolicyMatches(p, ctx({ identity: Y }))).toBe(true);
  });

  test('trustDomains are silently dropped: a source with only them never matches', () => {
    const only = policy({ rules: [{ from: [{ source: { trustDomains: ['cluster.local'] } }] }] });
    const wider = policy({
      rules: [{ from: [{ source: { principals: ['*'], trustDomains: ['other.domain'] } }] }],
    });
    expect(ztunnelPolicyMatches(only, ctx({ identity: X }))).toBe(false);
    // The trust-domain constraint is lost: X (cluster.local) is allowed anyway.
    expect(ztunnelPolicyMatches(wider, ctx({ identity: X }))).toBe(true);
  });

  test('remoteIpBlocks is L7 at ztunnel: an ALLOW rule with it is dropped', () => {
    const p = policy({ rules: [{ from: [{ source: { remoteIpBlocks: ['0.0.0.0/0'] } }] }] });
    expect(ztunnelPolicyMatches(p, ctx({ sourceIp: '10.0.0.1', remoteIp: '10.0.0.1' }))).toBe(
      false,
    );
  });
});

describe('ztunnelVerdict: evaluation order (section 1, state.rs assert_rbac)', () => {
  const allowX = policy(
    { rules: [{ from: [{ source: { principals: [X.principal] } }] }] },
    { name: 'allow-x' },
  );
  const denyX = policy(
    { action: 'DENY', rules: [{ from: [{ source: { principals: [X.principal] } }] }] },
    { name: 'deny-x' },
  );

  test('no policy: allow', () => {
    expect(ztunnelVerdict([], ctx({ identity: X }))).toEqual({
      allowed: true,
      reason: 'no ALLOW policy applies',
    });
  });

  test('DENY wins over a matching ALLOW', () => {
    const verdict = ztunnelVerdict([allowX, denyX], ctx({ identity: X }));
    expect(verdict.allowed).toBe(false);
    expect(verdict.policy?.id).toBe('default/deny-x');
    expect(verdict.reason).toBe('DENY policy default/deny-x matches');
  });

  test('an ALLOW that applies but does not match denies, naming it', () => {
    const verdict = ztunnelVerdict([allowX], ctx({ identity: Y }));
    expect(verdict).toMatchObject({
      allowed: false,
      reason: 'no ALLOW policy matches (applying: default/allow-x)',
    });
    expect(verdict.policy?.id).toBe('default/allow-x');
  });

  test('a matching ALLOW allows, naming it', () => {
    const verdict = ztunnelVerdict([allowX], ctx({ identity: X }));
    expect(verdict.allowed).toBe(true);
    expect(verdict.policy?.id).toBe('default/allow-x');
  });
});
