// Hostile input through `hardened-mesh check` (in process): each file gets a clear one-line error
// (exit 2) or a bounded, correct answer. Every bound is one the reader enforces by construction
// (alias count, alias growth, parser stack, file size, document count, a linear duplicate-key
// check, the CRD's 512 rules), so no test measures time. The synth's config file has its own
// hostile-input tests in test/config.test.ts and test/main.test.ts (alias bomb, deep nesting,
// non-UTF-8 bytes, files over 1 MiB refused unread, duplicate keys, huge values), and duplicate
// object names in one app are in test/unique-names.test.ts.
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { EXIT_BAD_INPUT, EXIT_OK, runCli } from '../../lib/cli';
import {
  MAX_ALIAS_EXPANSION,
  MAX_DOCUMENTS,
  MAX_INPUT_FILE_BYTES,
} from '../../lib/check/manifests';
import { deployment, namespace, policyObject } from '../support/check-helpers';
import { tempDir } from '../support/run';

const DIR = tempDir('hm-hostile-');
let counter = 0;

/** Writes `content` to a new file in this test's directory and returns its path. */
function file(content: string | Buffer, name = 'input.yaml'): string {
  const dir = path.join(DIR, String(counter++));
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

const yaml = (...objects: object[]) => objects.map((object) => stringify(object)).join('---\n');

/** An ambient namespace `app`, workload `api` (service account `api`), locked down. */
const MESH = file(
  yaml(
    namespace('app'),
    deployment('app', 'api'),
    policyObject('istio-system', 'allow-nothing', {}),
  ),
  'mesh.yaml',
);

/** A case from service account `sa` of namespace `clients` to `api`, port 8080. */
function caseFrom(name: string, sa: string, expect: 'allow' | 'deny') {
  return {
    name,
    from: { serviceAccount: sa, namespace: 'clients' },
    to: { workload: 'api', namespace: 'app', port: 8080 },
    expect,
  };
}

const CASES = file(yaml({ cases: [caseFrom('any', 'client', 'deny')] }), 'cases.yaml');

function check(manifests: readonly string[], cases = CASES) {
  let stdout = '';
  let stderr = '';
  const code = runCli(['check', ...manifests, '--cases', cases], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

/** Runs the check and expects exit 2 with exactly one line of error naming `input`. */
function refused(manifests: readonly string[], input: string, cases = CASES): string {
  const result = check(manifests, cases);
  expect(result).toMatchObject({ code: EXIT_BAD_INPUT, stdout: '' });
  expect(result.stderr).toMatch(/^hardened-mesh: [^\n]+\n$/);
  expect(result.stderr.startsWith(`hardened-mesh: ${input}: `)).toBe(true);
  return result.stderr.slice(`hardened-mesh: ${input}: `.length).trimEnd();
}

/** A policy on `api` with one rule per principal list. */
function apiPolicy(name: string, rules: readonly (readonly string[])[]) {
  return policyObject('app', name, {
    selector: { matchLabels: { app: 'api' } },
    rules: rules.map((principals) => ({ from: [{ source: { principals } }] })),
  });
}

const principal = (sa: string) => `cluster.local/ns/clients/sa/${sa}`;

const BILLION_LAUGHS = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

function expansionBomb(count: number): string {
  const list = JSON.stringify(Array.from({ length: count }, (_, i) => principal(`s${i}`)));
  return [
    `big: &big ${list}`,
    `copies: [${Array.from({ length: 99 }, () => '*big').join(', ')}]`,
  ].join('\n');
}

const BLOCK_DEEP = Array.from({ length: 3000 }, (_, depth) => `${' '.repeat(depth)}a:`).join('\n');

describe.each([
  ['manifest', (input: string) => refused([MESH, input], input)],
  ['cases file', (input: string) => refused([MESH], input, input)],
])('hardened-mesh check refuses a hostile %s with one clear line (exit 2)', (_, refuse) => {
  test('a billion-laughs alias bomb: refused at the alias count', () => {
    expect(refuse(file(BILLION_LAUGHS))).toBe(
      'document 1 expands too many aliases (more than 100); refusing a possible YAML bomb',
    );
  });

  test('a hundred aliases of one large list: refused by the growth they cause', () => {
    expect(refuse(file(expansionBomb(1100)))).toBe(
      `document 1 grows by ${99 * 1100} nodes when its aliases are expanded (at most ` +
        `${MAX_ALIAS_EXPANSION}); refusing a possible YAML bomb`,
    );
  });

  test('an alias inside the node it names', () => {
    expect(refuse(file('a: &a {b: *a}\n'))).toBe(
      'document 1 has an alias inside the node it names, which would make an endless object',
    );
  });

  test.each([
    ['flow lists 5000 deep', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['JSON objects 5000 deep', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    ['block mappings 3000 deep', BLOCK_DEEP],
  ])('nesting too deep for the parser: %s', (_, text) => {
    expect(refuse(file(text))).toMatch(
      /^document 1( \(line \d+\))? is nested too deeply to read \(the parser ran out of stack\)$/,
    );
  });

  test.each([
    ['Latin-1', Buffer.from('kind: caf\xe9\n', 'latin1')],
    ['UTF-16 with a byte order mark', Buffer.from('\ufeffkind: x\n', 'utf16le')],
    ['a lone continuation byte', Buffer.from([0x61, 0x3a, 0x20, 0x80, 0x0a])],
  ])('bytes that are not UTF-8: %s', (_, bytes) => {
    expect(refuse(file(bytes))).toBe('content is not valid UTF-8 text');
  });

  test('a million empty documents: refused at the first one over the document limit', () => {
    expect(refuse(file('---\n'.repeat(1_000_000)))).toBe(
      `content has more than ${MAX_DOCUMENTS} YAML documents; split it into several files`,
    );
  });

  test('a file over 32 MiB, refused before it is read', () => {
    const huge = file('');
    // A sparse file: the size is there, the bytes are not, and nothing reads them.
    fs.truncateSync(huge, MAX_INPUT_FILE_BYTES + 1);
    expect(refuse(huge)).toBe(
      `path is ${MAX_INPUT_FILE_BYTES + 1} bytes; the checker reads files of at most ` +
        `${MAX_INPUT_FILE_BYTES} bytes (32 MiB): split it into several files`,
    );
  });
});

describe('hardened-mesh check on hostile manifests', () => {
  test('a policy of 513 rules, one more than the CRD allows: refused naming it', () => {
    const rules = Array.from({ length: 513 }, (_, i) => [principal(`s${i}`)]);
    const input = file(yaml(apiPolicy('wide', rules)));
    expect(refused([MESH, input], input)).toBe(
      'document 1 (AuthorizationPolicy "app/wide") spec.rules has 513 rules; the CRD allows 512',
    );
  });

  test('a policy of 512 rules: read, and only the last rule opens its client', () => {
    const rules = Array.from({ length: 512 }, (_, i) => [principal(`s${i}`)]);
    const input = file(yaml(apiPolicy('wide', rules)));
    const cases = file(
      yaml({
        cases: [
          caseFrom('the last rule', 's511', 'allow'),
          caseFrom('the first rule', 's0', 'allow'),
          caseFrom('no rule', 's512', 'deny'),
        ],
      }),
    );
    const result = check([MESH, input], cases);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain('3 passed, 0 failed');
  });

  test('the same policy name in two files: refused naming both places', () => {
    const first = file(yaml(apiPolicy('same', [[principal('a')]])));
    const second = file(yaml(apiPolicy('same', [[principal('b')]])));
    expect(refused([MESH, first, second], second)).toBe(
      'document 1 (AuthorizationPolicy "app/same") metadata.name repeats AuthorizationPolicy ' +
        `app/same, already defined in ${first} document 1; each object may be defined once`,
    );
  });

  test('a huge value in a wrong place is named, not repeated, in the error', () => {
    const input = file(`apiVersion: v1\nkind: ${JSON.stringify('k'.repeat(5_000_000))}\n`);
    const result = check([MESH, input]);
    expect(result.code).toBe(EXIT_OK);
    // An unknown kind is ignored; the same value where a string map is required is refused.
    const labels = file(
      yaml({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'x', labels: { a: ['v'.repeat(5_000_000)] } },
      }),
    );
    const problem = refused([labels], labels);
    expect(problem).toMatch(
      /^document 1 \(Namespace "default\/x"\) metadata\.labels\.a must be a string, got \["v{900,}.*\.\.\. \(5000004 characters\)$/,
    );
    expect(problem.length).toBeLessThan(1200);
  });

  test('anchors that repeat small nodes, and nesting the parser can read, get a correct answer', () => {
    // Anchors hold within one document: a List carries both objects.
    const input = file(
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- apiVersion: security.istio.io/v1',
        '  kind: AuthorizationPolicy',
        '  metadata: {name: anchored, namespace: app}',
        '  spec:',
        '    selector: {matchLabels: &api {app: api}}',
        `    rules: [{from: [{source: {principals: &who ["${principal('client')}"]}}]}]`,
        '- apiVersion: v1',
        '  kind: ConfigMap',
        '  metadata: {name: deep, namespace: app, labels: *api}',
        `  data: {nested: "${'['.repeat(200)}", also: *who}`,
        `  binaryData: ${'{"a":'.repeat(200)}1${'}'.repeat(200)}`,
      ].join('\n'),
    );
    const cases = file(
      yaml({ cases: [caseFrom('opened', 'client', 'allow'), caseFrom('not', 'other', 'deny')] }),
    );
    const result = check([MESH, input], cases);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('2 passed, 0 failed');
  });

  // The yaml package's duplicate-key check compares each key with every earlier one: this map
  // took hours. The checker now keeps one set per map (lib/yaml-keys.ts).
  test('a ConfigMap of 300,000 keys (about 4 MB) with its first key repeated at the end: found', () => {
    const keys = Array.from({ length: 300_000 }, (_, i) => `  k${i}: v`);
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wide, namespace: app}\ndata:';
    const repeated = file([head, ...keys, '  k0: again'].join('\n'));
    expect(refused([MESH, repeated], repeated)).toBe(
      'document 1 (line 300005) is not valid YAML: Map keys must be unique; "k0" is written twice',
    );
  }, 60_000);

  // About 10 MB and a few seconds of parsing: bounded by the file size cap, correct to the last
  // entry. The only slow test here; the timeout is for this 2-core machine under load.
  test('a 10 MB policy document: read whole, its last principal allowed, the next denied', () => {
    const count = 250_000;
    const principals = Array.from({ length: count }, (_, i) => principal(`client-${i}`));
    const text = [
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata: {name: big, namespace: app}',
      'spec:',
      '  selector: {matchLabels: {app: api}}',
      `  rules: [{from: [{source: {principals: ${JSON.stringify(principals)}}}]}]`,
    ].join('\n');
    expect(text.length).toBeGreaterThan(10_000_000);
    const cases = file(
      yaml({
        cases: [
          caseFrom('last', `client-${count - 1}`, 'allow'),
          caseFrom('next', `client-${count}`, 'deny'),
        ],
      }),
    );
    const result = check([MESH, file(text)], cases);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('2 passed, 0 failed');
  }, 60_000);
});
