// The `hardened-mesh` command: exit codes 0/1/2, text and JSON output, the report command, and
// the bin entry run as a user runs it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, runCli } from '../lib/cli';

const ROOT = path.join(__dirname, '..');
const BOOKINFO = path.join(ROOT, '..', 'shared', 'samples', 'bookinfo');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'bookinfo');
const STEP1 = [
  BOOKINFO,
  path.join(FIXTURES, 'namespace-ambient.yaml'),
  path.join(FIXTURES, 'productpage-ztunnel.yaml'),
];

function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function tempFile(name: string, content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hm-cli-')), name);
  fs.writeFileSync(file, content);
  return file;
}

const FAILING = tempFile(
  'failing.yaml',
  `cases:
  - name: curl reaches productpage
    from: { workload: curl }
    to: { service: productpage, port: 9080 }
    expect: allow
`,
);

const MESH_TD_WILDCARD = tempFile(
  'mesh-td.yaml',
  `mesh: { trustDomain: "*" }
cases:
  - { name: x, from: { workload: curl }, to: { service: productpage, port: 9080 }, expect: deny }
`,
);

describe('hardened-mesh check', () => {
  test('text: one line a case with the deciding policy, then a summary; exit 0', () => {
    const result = run(['check', ...STEP1, '--cases', path.join(FIXTURES, 'step1-cases.yaml')]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(
      'PASS curl cannot reach productpage directly: deny by ztunnel, policy default/productpage-ztunnel (expected deny) - ' +
        'ztunnel of Deployment default/productpage-v1: no ALLOW policy matches (applying: default/productpage-ztunnel)',
    );
    expect(lines[4]).toBe('4 passed, 0 failed');
  });

  test('json: results with exactly the documented fields, and a summary', () => {
    const result = run([
      'check',
      ...STEP1,
      '--cases',
      path.join(FIXTURES, 'step1-cases.yaml'),
      '--format',
      'json',
    ]);
    expect(result.code).toBe(EXIT_OK);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['results', 'summary']);
    expect(report.summary).toEqual({ passed: 4, failed: 0 });
    for (const item of report.results) {
      expect(Object.keys(item)).toEqual([
        'name',
        'decision',
        'enforcedBy',
        'policy',
        'reason',
        'expected',
        'pass',
      ]);
    }
    expect(report.results[1]).toMatchObject({
      decision: 'deny',
      enforcedBy: 'ztunnel',
      policy: 'default/productpage-ztunnel',
      expected: 'deny',
      pass: true,
    });
    expect(report.results[3]).toMatchObject({ decision: 'allow', enforcedBy: null, policy: null });
  });

  test('text: names reach the terminal with control characters and line breaks escaped', () => {
    const cases = tempFile(
      'ansi.yaml',
      `cases:
  - name: "red\\e[31m\\e[2J\\nFAKE PASS"
    from: { workload: curl }
    to: { service: productpage, port: 9080 }
    expect: allow
`,
    );
    const result = run(['check', ...STEP1, '--cases', cases]);
    expect(result.code).toBe(EXIT_FAILED);
    const controls = Array.from(result.stdout).filter((char) => {
      const code = char.charCodeAt(0);
      return (code < 0x20 && char !== '\n') || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^FAIL red\\u001b\[31m\\u001b\[2J\\u000aFAKE PASS: deny by ztunnel/);
  });

  test('a failing case: FAIL line and exit 1', () => {
    const result = run(['check', ...STEP1, '--cases', FAILING]);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stdout).toMatch(/^FAIL curl reaches productpage: deny by ztunnel/);
    expect(result.stdout).toMatch(/0 passed, 1 failed\n$/);
  });

  test('is deterministic', () => {
    const args = [
      'check',
      ...STEP1,
      '--cases',
      path.join(FIXTURES, 'step1-cases.yaml'),
      '--format',
      'json',
    ];
    expect(run(args).stdout).toBe(run(args).stdout);
  });

  test.each<[string, string[], string]>([
    [
      'a case naming a missing workload',
      [
        '--cases',
        tempFile(
          'c.yaml',
          'cases:\n  - { name: x, from: { workload: ghost }, to: { service: productpage, port: 9080 }, expect: deny }\n',
        ),
      ],
      'c.yaml: cases[0] ("x").from.workload is "ghost", but no workload of that name is in namespace "default" of the manifests',
    ],
    [
      'a missing cases file',
      ['--cases', '/nonexistent/cases.yaml'],
      'hardened-mesh: /nonexistent/cases.yaml: path does not exist or cannot be read',
    ],
    ['no --cases', [], 'hardened-mesh: check needs --cases <file>'],
    [
      'a bad format',
      ['--cases', FAILING, '--format', 'xml'],
      'hardened-mesh: --format is "xml"; use text or json',
    ],
    [
      'an unknown option',
      ['--cases', FAILING, '--verbose'],
      "hardened-mesh: Unknown option '--verbose'",
    ],
    [
      'a bad namespace',
      ['--cases', FAILING, '--namespace', 'Bad_NS'],
      'hardened-mesh: --namespace "Bad_NS" is not a valid namespace',
    ],
    [
      'a wildcard trust domain in the mesh block',
      ['--cases', MESH_TD_WILDCARD],
      `hardened-mesh: ${MESH_TD_WILDCARD}: mesh.trustDomain "*" is not a trust domain`,
    ],
  ])('bad input, exit 2: %s', (_, extra, message) => {
    const result = run(['check', ...STEP1, ...extra]);
    expect(result.code).toBe(EXIT_BAD_INPUT);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  test('bad input, exit 2: a malformed manifest names the file', () => {
    const bad = tempFile(
      'bad.yaml',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec: {action: deny}\n',
    );
    const result = run(['check', bad, '--cases', FAILING]);
    expect(result.code).toBe(EXIT_BAD_INPUT);
    expect(result.stderr).toBe(
      `hardened-mesh: ${bad}: document 1 (AuthorizationPolicy "default/p") spec.action is "deny"; allowed: ALLOW, DENY, AUDIT, CUSTOM (upper case)\n`,
    );
  });

  test('usage errors: no paths, unknown command', () => {
    expect(run(['check', '--cases', FAILING]).code).toBe(EXIT_BAD_INPUT);
    const unknown = run(['verify']);
    expect(unknown.code).toBe(EXIT_BAD_INPUT);
    expect(unknown.stderr).toMatch(/^hardened-mesh: unknown command "verify"\nusage:/);
    expect(run(['--help'])).toMatchObject({
      code: EXIT_OK,
      stdout: expect.stringMatching(/^usage:/),
    });
  });
});

describe('hardened-mesh report', () => {
  test('--out writes the HTML page', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hm-report-')), 'matrix.html');
    const result = run(['report', ...STEP1, '--out', out]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stderr).toBe(`wrote ${out}: 8 workloads x 5 service ports\n`);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  test('--format md prints the Markdown matrix', () => {
    const result = run(['report', ...STEP1, '--format', 'md']);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain(
      '| Deployment default/curl | allow | allow | **deny** (default/productpage-ztunnel) | allow | allow |',
    );
  });

  test('mesh settings come from options', () => {
    const result = run(['report', ...STEP1, '--format', 'md', '--trust-domain', 'corp.example']);
    // The policy names cluster.local: under another trust domain the gateway no longer matches.
    expect(result.stdout).toContain(
      '| Gateway default/bookinfo-gateway | allow | allow | **deny** (default/productpage-ztunnel) | allow | allow |',
    );
  });

  test.each<[string, string, string]>([
    [
      '--root-namespace',
      'Istio-System',
      '--root-namespace "Istio-System" is not a valid namespace',
    ],
    ['--root-namespace', 'X Y', '--root-namespace "X Y" is not a valid namespace'],
    ['--trust-domain', '*', '--trust-domain "*" is not a trust domain'],
  ])('bad input, exit 2: %s %s', (flag, value, message) => {
    const result = run(['report', ...STEP1, '--format', 'md', flag, value]);
    expect(result.code).toBe(EXIT_BAD_INPUT);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`hardened-mesh: ${message}`);
  });

  test('bad usage: HTML without --out, unknown format', () => {
    expect(run(['report', ...STEP1]).stderr).toContain(
      'report needs --out <file.html> (or --format md to print Markdown)',
    );
    expect(run(['report', ...STEP1, '--format', 'pdf']).code).toBe(EXIT_BAD_INPUT);
  });
});

describe('bin/hardened-mesh.js (as npx runs it)', () => {
  const bin = path.join(ROOT, 'bin', 'hardened-mesh.js');
  const exec = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: os.tmpdir() });

  test('exit 0 with JSON on stdout', () => {
    const result = exec([
      'check',
      ...STEP1,
      '--cases',
      path.join(FIXTURES, 'step1-cases.yaml'),
      '--format',
      'json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).summary).toEqual({ passed: 4, failed: 0 });
  });

  test('exit 1 on a failing case, exit 2 on bad input', () => {
    expect(exec(['check', ...STEP1, '--cases', FAILING]).status).toBe(1);
    const bad = exec(['check', ...STEP1, '--cases', '/nonexistent.yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'hardened-mesh: /nonexistent.yaml: path does not exist or cannot be read\n',
    );
  });
});

describe('runCli, usability found by a fresh user', () => {
  function capture(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = runCli(argv, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, stderr };
  }

  test('prints the usage for --help after a command, with every exit code', () => {
    const result = capture(['check', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage:');
    expect(result.stdout).toContain('3 an internal error of the checker');
  });

  test('reports an --out it cannot write as bad input (2), not an internal error', () => {
    const result = capture([
      'report',
      BOOKINFO,
      '--out',
      path.join(os.tmpdir(), 'no-such-dir-hardened-mesh', 'x.html'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write --out');
  });

  test('refuses to write HTML into a .md file', () => {
    const result = capture(['report', BOOKINFO, '--out', 'x.md']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out x.md names a Markdown file: add --format md');
  });
});
