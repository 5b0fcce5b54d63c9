import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT, runNode, tempDir } from './support/run';
import { crds } from './support/synth';
import { parseAllDocuments } from 'yaml';

// The app as `npm run synth` runs it: compiled main.ts, in the directory that holds the config.
function synth(cwd: string, env: NodeJS.ProcessEnv = {}) {
  return runNode([path.join(PROJECT_ROOT, 'scripts', 'compiled.js'), 'main'], cwd, env);
}

function output(cwd: string): string {
  return fs.readFileSync(path.join(cwd, 'dist', 'hardened-mesh.k8s.yaml'), 'utf8');
}

describe('main (npm run synth)', () => {
  test('without a config writes exactly the committed dist/', () => {
    const cwd = tempDir();
    const result = synth(cwd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'hardened-mesh: wrote 3 objects with the defaults (no hardened-mesh.yaml) to dist/hardened-mesh.k8s.yaml\n',
    );
    expect(fs.readdirSync(path.join(cwd, 'dist'))).toEqual(['hardened-mesh.k8s.yaml']);
    expect(output(cwd)).toBe(
      fs.readFileSync(path.join(PROJECT_ROOT, 'dist', 'hardened-mesh.k8s.yaml'), 'utf8'),
    );
  });

  test('reads hardened-mesh.yaml, and every object it writes passes the CRD schema and CEL rules', () => {
    const cwd = tempDir();
    fs.writeFileSync(
      path.join(cwd, 'hardened-mesh.yaml'),
      'ingress:\n  externalTrafficCidrs: "10.0.0.0/8, 192.168.0.0/16"\n',
    );
    const result = synth(cwd);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'wrote 3 objects from hardened-mesh.yaml to dist/hardened-mesh.k8s.yaml',
    );
    const objects = parseAllDocuments(output(cwd)).map((doc) => doc.toJS());
    objects.forEach((object) => crds.assertValid(object));
    expect(objects[2].spec.rules[0].from[0].source.ipBlocks).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
    ]);
  });

  test('reads waypoints, dry-run and the ingress in an enrolled namespace from the config', () => {
    const cwd = tempDir();
    fs.writeFileSync(
      path.join(cwd, 'hardened-mesh.yaml'),
      [
        'dryRun: true',
        'waypoints: [{namespace: default}]',
        'ingress: {namespace: default, gateway: bookinfo-gateway, enrolledInAmbient: true}',
      ].join('\n'),
    );
    const result = synth(cwd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const objects = parseAllDocuments(output(cwd)).map((doc) => doc.toJS());
    objects.forEach((object) => crds.assertValid(object));
    expect(objects.map((o) => [o.metadata.name, o.metadata.annotations])).toEqual([
      [
        'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
        { 'argocd.argoproj.io/sync-wave': '1', 'istio.io/dry-run': 'true' },
      ],
      [
        'istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
        { 'argocd.argoproj.io/sync-wave': '1', 'istio.io/dry-run': 'true' },
      ],
      ['istio-ingress-k8s-default-external-traffic', { 'argocd.argoproj.io/sync-wave': '-1' }],
      [
        'istio-ingress-k8s-default-external-traffic-ztunnel',
        { 'argocd.argoproj.io/sync-wave': '-1' },
      ],
      // While the lockdown only logs, the waypoint's ALLOW must not enforce either.
      [
        'allow-from-waypoint-default-waypoint',
        { 'argocd.argoproj.io/sync-wave': '-1', 'istio.io/dry-run': 'true' },
      ],
    ]);
  });

  test('reads the file named by HARDENED_MESH_CONFIG', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'lab.yaml'), 'hardenedMode: false\n');
    expect(synth(cwd, { HARDENED_MESH_CONFIG: 'lab.yaml' }).status).toBe(0);
    expect(output(cwd)).not.toContain('allow-nothing');
  });

  test('writes byte-identical output on every run', () => {
    const cwd = tempDir();
    synth(cwd);
    const first = output(cwd);
    synth(cwd);
    expect(output(cwd)).toBe(first);
  });

  describe.each([
    [
      'an unknown key',
      'hardendMode: false\n',
      'hardened-mesh.yaml: unknown key "hardendMode" (did you mean "hardenedMode"?)',
    ],
    [
      'a wrong type',
      'hardenedMode: "off"\n',
      'hardened-mesh.yaml: hardenedMode must be true or false, got "off"',
    ],
    [
      'an invalid name',
      'rootNamespace: Istio\n',
      'hardened-mesh.yaml: rootNamespace "Istio" is not a valid namespace',
    ],
    [
      'an invalid CIDR',
      'ingress:\n  externalTrafficCidrs: "10.0.0.0/8, 10.0.0.0/33"\n',
      'hardened-mesh.yaml: ingress.externalTrafficCidrs has "10.0.0.0/33" with prefix length "33"',
    ],
    [
      'an empty CIDR list',
      'ingress:\n  externalTrafficCidrs: ""\n',
      'hardened-mesh.yaml: ingress.externalTrafficCidrs "" holds no address',
    ],
    [
      'an invalid waypoint namespace',
      'waypoints:\n  - namespace: Default\n',
      'hardened-mesh.yaml: waypoints[0].namespace "Default" is not a valid namespace',
    ],
    [
      'an ALLOW wave after the allow-nothing wave',
      'syncWaves: {allow: 2}\n',
      'hardened-mesh.yaml: syncWaves puts the ALLOW policies in wave 2, not before the allow-nothing',
    ],
    ['YAML that does not parse', 'ingress: [\n', 'hardened-mesh.yaml: is not valid YAML'],
    // Hostile files: each refused with one clear message, bounded by the 1 MiB cap, the alias
    // count or the parser's stack, never by how long the synth runs.
    [
      'a YAML alias bomb',
      [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        ...'bcde'
          .split('')
          .map(
            (n, i) =>
              `${n}: &${n} [${Array.from({ length: 10 }, () => `*${'abcd'[i]}`).join(', ')}]`,
          ),
      ].join('\n'),
      'hardened-mesh.yaml: cannot be read: Excessive alias count indicates a resource exhaustion attack',
    ],
    [
      'nesting too deep to read',
      `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      'hardened-mesh.yaml: is nested too deeply to read (the parser ran out of stack)',
    ],
    [
      'a 10 MB file',
      `istioApp: "${'a'.repeat(10 * 1024 * 1024)}"\n`,
      `hardened-mesh.yaml: is ${10 * 1024 * 1024 + 13} bytes; a config file is at most 1048576 bytes`,
    ],
    [
      'bytes that are not UTF-8',
      Buffer.from('istioApp: caf\xe9\n', 'latin1'),
      'hardened-mesh.yaml: is not valid UTF-8 text; save it as UTF-8',
    ],
    [
      'a 900 KB value, named but not repeated whole',
      `rootNamespace: "${'a'.repeat(900_000)}"\n`,
      `hardened-mesh.yaml: rootNamespace "${'a'.repeat(999)}... (900002 characters) is not a valid namespace`,
    ],
  ])('with %s', (_what, config, message) => {
    test('exits 1 naming the file, the key and the value, and leaves dist/ untouched', () => {
      const cwd = tempDir();
      fs.mkdirSync(path.join(cwd, 'dist'));
      fs.writeFileSync(path.join(cwd, 'dist', 'hardened-mesh.k8s.yaml'), 'previous output\n');
      fs.writeFileSync(path.join(cwd, 'hardened-mesh.yaml'), config);

      const result = synth(cwd);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`hardened-mesh: ${message}`);
      expect(result.stderr).toContain('nothing was written; dist/ is unchanged');
      expect(fs.readdirSync(path.join(cwd, 'dist'))).toEqual(['hardened-mesh.k8s.yaml']);
      expect(output(cwd)).toBe('previous output\n');
      expect(fs.readdirSync(cwd).sort()).toEqual(['dist', 'hardened-mesh.yaml']);
    });
  });

  test('writes into CDK8S_OUTDIR when cdk8s synth names one', () => {
    const cwd = tempDir();
    expect(synth(cwd, { CDK8S_OUTDIR: 'out' }).status).toBe(0);
    expect(fs.readdirSync(path.join(cwd, 'out'))).toEqual(['hardened-mesh.k8s.yaml']);
  });

  test('takes an empty CDK8S_OUTDIR as unset instead of replacing the working directory', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'keep.txt'), 'mine');
    expect(synth(cwd, { CDK8S_OUTDIR: '' }).status).toBe(0);
    expect(fs.readdirSync(cwd).sort()).toEqual(['dist', 'keep.txt']);
  });

  test('refuses CDK8S_OUTDIR=. and leaves the working directory alone', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'keep.txt'), 'mine');
    const result = synth(cwd, { CDK8S_OUTDIR: '.' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'hardened-mesh: the output directory . is the working directory or one of its parents',
    );
    expect(fs.readdirSync(cwd)).toEqual(['keep.txt']);
  });

  test('escapes terminal control characters from the config in its messages', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'hardened-mesh.yaml'), 'istioApp: "\\e[31mred"\n');
    const result = synth(cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('istioApp makes the name "\\u001b[31mred');
    expect(result.stderr).not.toContain('\u001b');
  });

  test('under cdk8s synth, does not claim on failure that the output it had deleted is unchanged', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'hardened-mesh.yaml'), 'hardenedMode: "no"\n');
    const result = synth(cwd, { CDK8S_OUTDIR: 'out' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'nothing was written; cdk8s synth had already removed out/; run npm run synth to keep the previous output',
    );
  });

  test('resolves a relative HARDENED_MESH_CONFIG against the directory npm was run from', () => {
    const cwd = tempDir();
    const from = tempDir();
    fs.writeFileSync(path.join(from, 'lab.yaml'), 'hardenedMode: false\n');
    const result = synth(cwd, { HARDENED_MESH_CONFIG: 'lab.yaml', INIT_CWD: from });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('wrote 1 object from lab.yaml');
  });

  test('writes an empty manifest, and says so, when the config turns every policy off', () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'hardened-mesh.yaml'), 'hardenedMode: false\ningress: false\n');
    const result = synth(cwd);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('wrote 0 objects from hardened-mesh.yaml');
  });
});
