import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { checkAllowPolicy } from '../lib';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'istio-authz-testdata');

function policy(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', spec };
}

const safeZtunnel = {
  action: 'ALLOW',
  selector: { matchLabels: { app: 'web' } },
  rules: [
    {
      from: [{ source: { principals: ['cluster.local/ns/a/sa/b'] } }],
      to: [{ operation: { ports: ['8080'] } }],
      when: [{ key: 'source.ip', values: ['10.0.0.1'] }],
    },
  ],
};

describe('checkAllowPolicy', () => {
  test('accepts a safe ztunnel policy and a safe waypoint policy', () => {
    expect(checkAllowPolicy(policy(safeZtunnel), 'ztunnel')).toEqual([]);
    expect(
      checkAllowPolicy(
        policy({
          action: 'ALLOW',
          targetRefs: [{ group: '', kind: 'Service', name: 'web' }],
          rules: [
            {
              from: [{ source: { requestPrincipals: ['iss/sub'] } }],
              to: [{ operation: { methods: ['GET'], paths: ['/x'] } }],
              when: [{ key: 'request.headers[x]', values: ['a'] }],
            },
          ],
        }),
        'waypoint',
      ),
    ).toEqual([]);
  });

  test('reports every HTTP-only field at ztunnel, each on its own path', () => {
    const problems = checkAllowPolicy(
      policy({
        ...safeZtunnel,
        rules: [
          {
            from: [{ source: { requestPrincipals: ['x/y'], remoteIpBlocks: ['10.0.0.0/8'] } }],
            to: [{ operation: { paths: ['/admin'], hosts: ['a'] } }],
            when: [{ key: 'request.auth.claims[iss]', values: ['x'] }],
          },
        ],
      }),
      'ztunnel',
    );
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'spec.rules[0].from[0].source.requestPrincipals',
      'spec.rules[0].from[0].source.remoteIpBlocks',
      'spec.rules[0].to[0].operation.paths',
      'spec.rules[0].to[0].operation.hosts',
      'spec.rules[0].when[0].key',
    ]);
    expect(problems[4]).toContain(
      '"request.auth.claims[iss]" is not one of the keys ztunnel evaluates',
    );
  });

  test('reports an ALLOW without rules (it would deny everything)', () => {
    expect(
      checkAllowPolicy(policy({ action: 'ALLOW', selector: safeZtunnel.selector }), 'ztunnel'),
    ).toEqual([
      'spec.rules is empty: an ALLOW policy without rules matches nothing, so its target would ' +
        'deny everything; add at least one rule',
    ]);
  });

  test('reports more rules, or more from entries in a rule, than the CRD allows (512)', () => {
    const rule = safeZtunnel.rules[0];
    const many = <T>(item: T, count: number): T[] => Array.from({ length: count }, () => item);
    expect(checkAllowPolicy(policy({ ...safeZtunnel, rules: many(rule, 512) }), 'ztunnel')).toEqual(
      [],
    );
    expect(checkAllowPolicy(policy({ ...safeZtunnel, rules: many(rule, 513) }), 'ztunnel')).toEqual(
      [
        'spec.rules has 513 rules; the CRD allows at most 512, so the API server would refuse the ' +
          'policy: split the rules over several policies',
      ],
    );
    expect(
      checkAllowPolicy(
        policy({ ...safeZtunnel, rules: [{ ...rule, from: many(rule.from[0], 513) }] }),
        'ztunnel',
      ),
    ).toEqual([
      'spec.rules[0].from has 513 entries; the CRD allows at most 512, so the API server would ' +
        'refuse the policy: split the rule',
    ]);
  });

  test('reports AUDIT and CUSTOM, which ztunnel does not enforce, and a provider', () => {
    const problems = checkAllowPolicy(
      policy({ ...safeZtunnel, action: 'CUSTOM', provider: { name: 'ext' } }),
      'ztunnel',
    );
    expect(problems[0]).toContain('spec.action is "CUSTOM"; only "ALLOW" is allowed here');
    expect(problems[1]).toBe(
      'spec.provider is set, but only a CUSTOM policy has a provider; remove it',
    );
  });

  test('reports a condition without values', () => {
    expect(
      checkAllowPolicy(
        policy({
          ...safeZtunnel,
          rules: [{ ...safeZtunnel.rules[0], when: [{ key: 'source.ip' }] }],
        }),
        'ztunnel',
      ),
    ).toEqual([
      'spec.rules[0].when[0] on "source.ip" has no values or notValues, so it would match nothing',
    ]);
  });

  test('reports a wildcard at both ends and a not-a-port', () => {
    const problems = checkAllowPolicy(
      policy({
        ...safeZtunnel,
        rules: [
          {
            from: [{ source: { principals: ['*x*'] } }],
            to: [{ operation: { ports: ['http'] } }],
          },
        ],
      }),
      'ztunnel',
    );
    expect(problems).toEqual([
      `spec.rules[0].from[0].source.principals[0] has "*x*" with a '*' in the middle or at both ends: ` +
        "Istio matches '*' only as the whole value, a prefix match ('x*') or a suffix match ('*x'); " +
        "ztunnel would compare the '*' literally and the rule would never match",
      'spec.rules[0].to[0].operation.ports[0] has "http", which is not a port number: give a ' +
        'whole number from 1 to 65535; named ports are not supported, use the container (target) ' +
        'port number',
    ]);
  });

  // Found by a hostile review: each of these, patched in, used to pass the final check.
  test.each([
    [
      'a negative-only source',
      { from: [{ source: { notPrincipals: ['x'] } }] },
      'spec.rules[0].from[0].source.notPrincipals is a negative field, which matches everything it does not name',
    ],
    [
      'a CIDR with host bits',
      { from: [{ source: { ipBlocks: ['10.1.2.3/0'] } }] },
      'spec.rules[0].from[0].source.ipBlocks[0] has "10.1.2.3/0", which has bits set after its /0 prefix',
    ],
    [
      'an empty to list',
      { from: [{ source: { principals: ['a/ns/b/sa/c'] } }], to: [] },
      'spec.rules[0].to is []: an empty or malformed to puts no constraint on the traffic',
    ],
    [
      'a when value with host bits',
      {
        from: [{ source: { principals: ['a/ns/b/sa/c'] } }],
        when: [{ key: 'source.ip', values: ['10.1.2.3/8'] }],
      },
      'spec.rules[0].when[0].values[0] has "10.1.2.3/8", which has bits set after its /8 prefix',
    ],
    [
      'a principal with an upper-case SPIFFE scheme',
      { from: [{ source: { principals: ['SPIFFE://a/ns/b/sa/c'] } }] },
      'Istio adds "spiffe://" itself, so this would never match',
    ],
  ])('reports %s', (_what, rule, message) => {
    expect(checkAllowPolicy(policy({ ...safeZtunnel, rules: [rule] }), 'ztunnel')).toContainEqual(
      expect.stringContaining(message),
    );
  });

  test('reports a GatewayClass target, which reaches every waypoint of the mesh', () => {
    const problems = checkAllowPolicy(
      policy({
        targetRefs: [
          { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' },
        ],
        rules: [{ from: [{ source: { principals: ['a/ns/b/sa/c'] } }] }],
      }),
      'waypoint',
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'spec.targetRefs[0].kind is "GatewayClass", which reaches every waypoint',
      ),
    ]);
  });

  test('reports lower-case methods and a wildcard in the middle of a path', () => {
    const problems = checkAllowPolicy(
      policy({
        targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
        rules: [
          {
            from: [{ source: { principals: ['a/ns/b/sa/c'] } }],
            to: [{ operation: { methods: ['get'], paths: ['/a/*/b', '/api/{*}/x'] } }],
          },
        ],
      }),
      'waypoint',
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'spec.rules[0].to[0].operation.methods[0] is "get"; Istio compares methods case-sensitively',
      ),
      expect.stringContaining(
        `spec.rules[0].to[0].operation.paths[0] has "/a/*/b" with a '*' in the middle`,
      ),
    ]);
  });

  test('reads every policy of Istio authz test inputs without throwing', () => {
    const files = fs.readdirSync(CORPUS).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(40);
    let policies = 0;
    for (const file of files) {
      for (const document of parseAllDocuments(fs.readFileSync(path.join(CORPUS, file), 'utf8'))) {
        const object = document.toJS();
        if (object?.kind !== 'AuthorizationPolicy') {
          continue;
        }
        policies++;
        for (const enforcement of ['ztunnel', 'waypoint'] as const) {
          const problems = checkAllowPolicy(object, enforcement);
          expect(Array.isArray(problems)).toBe(true);
          problems.forEach((problem) => expect(problem).toMatch(/^spec\.\S+ /));
        }
      }
    }
    expect(policies).toBeGreaterThan(40);
  });

  test('reads values of every shape without throwing', () => {
    for (const value of [undefined, null, 1, 'x', [], {}, { spec: null }, { spec: [] }]) {
      expect(checkAllowPolicy(value, 'ztunnel')).toEqual([
        expect.stringMatching(/^spec\.rules is empty/),
      ]);
    }
    const odd = policy({
      selector: 'x',
      targetRef: 'y',
      targetRefs: [null],
      rules: [
        null,
        { from: 'x', to: [null], when: [null] },
        { from: [null, { source: { principals: [1] } }] },
      ],
    });
    expect(checkAllowPolicy(odd, 'waypoint').length).toBeGreaterThan(5);
    expect(checkAllowPolicy(odd, 'ztunnel').length).toBeGreaterThan(5);
  });
});
