import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT, runNode, tempDir } from '../support/run';

// A copy of the project's sources with the real node_modules linked in, so the launcher can be
// made to rebuild (or fail to) without touching this checkout's build/.
function copyProject(): string {
  const dir = tempDir('hardened-mesh-compiled-');
  for (const entry of [
    'main.ts',
    'lib',
    'imports',
    'scripts',
    'tsconfig.json',
    'tsconfig.build.json',
  ]) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function launch(project: string, cwd: string) {
  return runNode([path.join(project, 'scripts', 'compiled.js'), 'main'], cwd);
}

describe('scripts/compiled.js', () => {
  const project = copyProject();

  test('compiles on first use, then runs the compiled entry without compiling again', () => {
    const cwd = tempDir();
    expect(launch(project, cwd).status).toBe(0);
    const stamp = fs.statSync(path.join(project, 'build', 'main.js')).mtimeMs;
    expect(fs.existsSync(path.join(project, 'build', 'main.js'))).toBe(true);

    expect(launch(project, cwd).status).toBe(0);
    expect(fs.statSync(path.join(project, 'build', 'main.js')).mtimeMs).toBe(stamp);
  });

  test('recompiles when a source changed, even one copied in with an old time (cp -p)', () => {
    const cwd = tempDir();
    launch(project, cwd);
    const defaults = path.join(project, 'lib', 'defaults.ts');
    fs.writeFileSync(
      defaults,
      fs.readFileSync(defaults, 'utf8').replace("'istio-k8s'", "'edited-istio'"),
    );
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(defaults, past, past);

    expect(launch(project, cwd).status).toBe(0);
    expect(fs.readFileSync(path.join(cwd, 'dist', 'hardened-mesh.k8s.yaml'), 'utf8')).toContain(
      'name: edited-istio-istio-system-policy-global-allow-nothing-ztunnel',
    );
  });

  test('fails without running anything when the sources do not compile', () => {
    const cwd = tempDir();
    fs.appendFileSync(path.join(project, 'main.ts'), '\nconst typo: number = "not a number";\n');

    const result = launch(project, cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the TypeScript sources do not compile; nothing was run');
    expect(fs.existsSync(path.join(cwd, 'dist'))).toBe(false);
  });

  test('prints its usage without an entry', () => {
    const result = runNode([path.join(project, 'scripts', 'compiled.js')], tempDir());
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node scripts/compiled.js <entry>');
  });
});
