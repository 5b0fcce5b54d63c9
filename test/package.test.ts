import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT, runNode, tempDir } from './support/run';
import { crds } from './support/synth';

// Platform teams install this project from its npm tarball and compose it in their own charts.
// This test packs the project as `npm pack` would publish it, installs the tarball into a scratch
// cdk8s app, type-checks a TypeScript platform chart against the shipped declarations, and
// synthesizes it next to cdk8s-plus-28 objects.

const PLATFORM_CHART = `
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HardenedMesh, IngressExternalTraffic } from 'hardened-mesh';

const app = new App({ outdir: 'dist' });
const platform = new Chart(app, 'platform');
new kplus.Deployment(platform, 'web', {
  containers: [{ image: 'nginx:1.27', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
});
const mesh: HardenedMesh = new HardenedMesh(app, 'mesh', {
  ingress: { externalTrafficCidrs: '203.0.113.0/24' },
});
const extra: IngressExternalTraffic = new IngressExternalTraffic(platform, 'partner-ingress', {
  app: 'partner',
  gateway: 'partner-gateway',
  externalTrafficCidrs: ['198.51.100.0/24'],
});
console.log(mesh.ztunnelAllowNothing?.name, extra.name);
app.synth();
`;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the npm package', () => {
  const scratch = tempDir('hardened-mesh-consumer-');
  let tarball = '';
  let files: string[] = [];

  beforeAll(() => {
    // build/ is fresh (jest's global setup compiled it); skip the prepare script so packing does
    // not rewrite build/ under tests that are running it.
    const packed = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], PROJECT_ROOT),
    );
    tarball = path.join(scratch, packed[0].filename);
    files = packed[0].files.map((file: { path: string }) => file.path);

    const own = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(
      path.join(scratch, 'package.json'),
      JSON.stringify({
        name: 'platform',
        private: true,
        dependencies: {
          'hardened-mesh': `file:${tarball}`,
          cdk8s: own.devDependencies.cdk8s,
          constructs: own.devDependencies.constructs,
          'cdk8s-plus-28': own.devDependencies['cdk8s-plus-28'],
        },
      }),
    );
    npm(['install', '--prefer-offline', '--no-package-lock'], scratch);
  }, 180_000);

  test('ships compiled JavaScript with type declarations, and no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'package.json']),
    );
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => file.startsWith('test/') || file.startsWith('dist/'))).toEqual(
      [],
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(manifest.main).toBe('build/lib/index.js');
    expect(manifest.types).toBe('build/lib/index.d.ts');
  });

  test('type-checks a TypeScript platform chart against the shipped declarations', () => {
    fs.writeFileSync(path.join(scratch, 'main.ts'), PLATFORM_CHART);
    fs.writeFileSync(
      path.join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: [],
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = runNode([tsc, '-p', 'tsconfig.json'], scratch);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('synthesizes a platform chart composing HardenedMesh next to cdk8s-plus-28 objects', () => {
    const result = runNode([path.join('out', 'main.js')], scratch);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(
      'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel partner-istio-system-external-traffic',
    );

    const read = (file: string) =>
      parseAllDocuments(fs.readFileSync(path.join(scratch, 'dist', file), 'utf8')).map((doc) =>
        doc.toJS(),
      );
    const platform = read('platform.k8s.yaml');
    const mesh = read('mesh.k8s.yaml');
    expect(platform.map((o) => o.kind)).toEqual(['Deployment', 'AuthorizationPolicy']);
    expect(mesh.map((o) => o.metadata.name)).toEqual([
      'istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
      'istio-k8s-istio-system-policy-global-allow-nothing-waypoint',
      'istio-ingress-k8s-istio-system-external-traffic',
    ]);
    [...mesh, platform[1]].forEach((object) => crds.assertValid(object));
  });
});
