// Reading AuthorizationPolicies: every form Istio's own tests use loads, and what istiod or the
// CRD refuses is refused with the field, the bad value and what is allowed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readManifestFile } from '../../lib/check/manifests';
import { Mesh } from '../../lib/check/mesh';
import { readAuthorizationPolicy } from '../../lib/check/policy';
import { policy } from '../support/check-helpers';

const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-authz-testdata');

describe('readAuthorizationPolicy', () => {
  test('reads every AuthorizationPolicy of the Istio authz corpus without throwing', () => {
    const files = fs.readdirSync(CORPUS).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(40);
    let policies = 0;
    for (const file of files) {
      // Each file separately: the same names recur across files of the corpus.
      const mesh = Mesh.fromManifests(readManifestFile(path.join(CORPUS, file)));
      policies += mesh.policies.length;
    }
    expect(policies).toBe(45);
  });

  test('reads v1 and v1beta1 alike', () => {
    for (const apiVersion of ['security.istio.io/v1', 'security.istio.io/v1beta1']) {
      const text = `apiVersion: ${apiVersion}\nkind: AuthorizationPolicy\nmetadata: {name: a, namespace: n}\nspec: {rules: [{}]}\n`;
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hm-')), 'p.yaml');
      fs.writeFileSync(file, text);
      const mesh = Mesh.fromManifests(readManifestFile(file));
      expect(mesh.policies.map((p) => [p.id, p.action, p.rules.length])).toEqual([
        ['n/a', 'ALLOW', 1],
      ]);
    }
  });

  test('action defaults to ALLOW; no rules means no rule', () => {
    expect(policy({})).toMatchObject({ action: 'ALLOW', rules: [], dryRun: false });
    expect(policy({}).selector).toBeUndefined();
  });

  test('istio.io/dry-run reads like Go strconv.ParseBool', () => {
    expect(policy({}, { annotations: { 'istio.io/dry-run': 'true' } }).dryRun).toBe(true);
    expect(policy({}, { annotations: { 'istio.io/dry-run': 'T' } }).dryRun).toBe(true);
    expect(policy({}, { annotations: { 'istio.io/dry-run': 'false' } }).dryRun).toBe(false);
  });

  test('targetRef (singular) reads as one targetRefs entry', () => {
    expect(
      policy({
        targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w' },
        rules: [{}],
      }).targetRefs,
    ).toEqual([{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w' }]);
  });

  test('a rule with an HTTP-only field is flagged for ztunnel and Envoy TCP', () => {
    const p = policy({
      rules: [
        { to: [{ operation: { methods: ['GET'] } }] },
        { from: [{ source: { remoteIpBlocks: ['1.2.3.4'] } }] },
      ],
    });
    expect(p.rules.map((r) => [r.hasZtunnelL7, r.hasHttpOnly])).toEqual([
      [true, true],
      [true, false],
    ]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'unknown spec field',
      { rule: [] },
      'spec.rule is not a known field; allowed here: action, provider, rules, selector, targetRef, targetRefs',
    ],
    [
      'misspelt source field',
      { rules: [{ from: [{ source: { principal: ['x'] } }] }] },
      'spec.rules[0].from[0].source.principal is not a known field',
    ],
    [
      'misspelt operation field',
      { rules: [{ to: [{ operation: { method: ['GET'] } }] }] },
      'spec.rules[0].to[0].operation.method is not a known field',
    ],
    [
      'lower-case action',
      { action: 'deny', rules: [{}] },
      'spec.action is "deny"; allowed: ALLOW, DENY, AUDIT, CUSTOM (upper case)',
    ],
    [
      'CUSTOM without provider',
      { action: 'CUSTOM', rules: [{}] },
      'spec.provider.name is required with action CUSTOM',
    ],
    [
      'provider without CUSTOM',
      { provider: { name: 'x' }, rules: [{}] },
      'spec.provider is only allowed with action CUSTOM, not ALLOW',
    ],
    [
      'DENY without rules',
      { action: 'DENY' },
      "spec.rules is empty; istiod's validation refuses a DENY policy without rules",
    ],
    [
      'selector with targetRefs',
      { selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Service', name: 's' }] },
      'spec.selector is set together with spec.targetRefs',
    ],
    [
      'wildcard in a selector',
      { selector: { matchLabels: { app: 'a*' } } },
      'spec.selector.matchLabels.app is "a*"',
    ],
    [
      'unknown targetRef kind',
      { targetRefs: [{ kind: 'Pod', name: 'x' }] },
      'spec.targetRefs[0].kind is "Pod"; istiod accepts Gateway, GatewayClass, Service, ServiceEntry',
    ],
    [
      'Gateway targetRef without its group',
      { targetRefs: [{ kind: 'Gateway', name: 'w' }] },
      'spec.targetRefs[0].group is "" for kind Gateway; it must be "gateway.networking.k8s.io", otherwise the policy attaches to nothing',
    ],
    [
      'cross-namespace targetRef',
      { targetRefs: [{ kind: 'Service', name: 's', namespace: 'o' }] },
      'spec.targetRefs[0].namespace is "o"; the CRD refuses cross-namespace references',
    ],
    [
      'serviceAccounts with principals',
      { rules: [{ from: [{ source: { serviceAccounts: ['a'], principals: ['b'] } }] }] },
      'spec.rules[0].from[0].source sets serviceAccounts together with principals or namespaces',
    ],
    [
      'wildcard serviceAccount',
      { rules: [{ from: [{ source: { serviceAccounts: ['ns/*'] } }] }] },
      'spec.rules[0].from[0].source.serviceAccounts[0] is "ns/*"; serviceAccounts takes no wildcards',
    ],
    [
      'named port',
      { rules: [{ to: [{ operation: { ports: ['http'] } }] }] },
      'spec.rules[0].to[0].operation.ports[0] is "http"',
    ],
    [
      'bad CIDR',
      { rules: [{ from: [{ source: { ipBlocks: ['300.0.0.1'] } }] }] },
      'spec.rules[0].from[0].source.ipBlocks[0] has "300.0.0.1"',
    ],
    [
      'unknown when key',
      { rules: [{ when: [{ key: 'source.principle', values: ['x'] }] }] },
      'spec.rules[0].when[0].key is "source.principle", which istiod does not know',
    ],
    [
      'when without values',
      { rules: [{ when: [{ key: 'source.ip' }] }] },
      'spec.rules[0].when[0] (key "source.ip") has neither values nor notValues',
    ],
    [
      'empty value',
      { rules: [{ from: [{ source: { principals: [''] } }] }] },
      "spec.rules[0].from[0].source.principals[0] is empty; istiod's validation refuses empty values",
    ],
    [
      'string instead of list',
      { rules: [{ from: [{ source: { principals: 'x' } }] }] },
      'spec.rules[0].from[0].source.principals must be a list, got "x"',
    ],
    [
      'number in a list',
      { rules: [{ to: [{ operation: { ports: [80] } }] }] },
      'spec.rules[0].to[0].operation.ports[0] must be a string, got 80',
    ],
  ])('fails on %s', (_, spec, message) => {
    expect(() => policy(spec)).toThrow(message);
  });

  test('reads 512 rules and 512 from entries, the CRD maximum; refuses 513 of either', () => {
    const source = (i: number) => ({ source: { principals: [`cluster.local/ns/a/sa/s${i}`] } });
    const rules = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ from: [source(i)] }));
    const from = (count: number) => [{ from: Array.from({ length: count }, (_, i) => source(i)) }];
    expect(policy({ rules: rules(512) }).rules).toHaveLength(512);
    expect(policy({ rules: from(512) }).rules[0].clauses[0].entries).toHaveLength(512);
    expect(() => policy({ rules: rules(513) })).toThrow(
      'spec.rules has 513 rules; the CRD allows 512',
    );
    expect(() => policy({ rules: from(513) })).toThrow(
      'spec.rules[0].from has 513 entries; the CRD allows 512',
    );
  });

  test('fails on a bad dry-run annotation and a missing name', () => {
    expect(() => policy({}, { annotations: { 'istio.io/dry-run': 'yes' } })).toThrow(
      'metadata.annotations.istio.io/dry-run is "yes"; write "true" or "false"',
    );
    expect(() => readAuthorizationPolicy({ metadata: {} }, 'n', 'f')).toThrow(
      'metadata.name must be a string, got undefined',
    );
  });
});

describe('the principals a policy can match (used to skip policies in a decision)', () => {
  const principals = (spec: Record<string, unknown>) => {
    const set = policy(spec).principals;
    return set && [...set].sort();
  };
  const from = (...sources: Record<string, unknown>[]) => sources.map((source) => ({ source }));

  test('are the exact principals every from entry of every rule requires', () => {
    expect(
      principals({
        rules: [
          {
            from: from(
              { principals: ['td/ns/a/sa/x'] },
              { principals: ['td/ns/a/sa/y'], namespaces: ['a'] },
            ),
          },
          { from: from({ principals: ['td/ns/b/sa/z'] }), to: [{ operation: { ports: ['80'] } }] },
        ],
      }),
    ).toEqual(['td/ns/a/sa/x', 'td/ns/a/sa/y', 'td/ns/b/sa/z']);
  });

  test('are none for a policy without rules, which matches nothing', () => {
    expect(principals({})).toEqual([]);
  });

  test.each([
    ['a wildcard principal', { rules: [{ from: from({ principals: ['td/ns/a/sa/*'] }) }] }],
    ['notPrincipals', { rules: [{ from: from({ notPrincipals: ['td/ns/a/sa/x'] }) }] }],
    [
      'an entry without principals',
      { rules: [{ from: from({ principals: ['td/ns/a/sa/x'] }, { namespaces: ['a'] }) }] },
    ],
    [
      'a rule without from',
      {
        rules: [
          { from: from({ principals: ['td/ns/a/sa/x'] }) },
          { to: [{ operation: { ports: ['80'] } }] },
        ],
      },
    ],
    [
      'a principal only in a when condition',
      { rules: [{ when: [{ key: 'source.principal', values: ['td/ns/a/sa/x'] }] }] },
    ],
  ])('are unknown (any peer may match) with %s', (_name, spec) => {
    expect(principals(spec)).toBeUndefined();
  });
});
