import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ZtunnelAllowNothing } from '../lib';
import { synthesizeInto } from '../lib/synthesize';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hardened-mesh-synth-'));
}

function build(stagingDir: string, istioApp = 'istio-k8s'): App {
  const app = new App({ outdir: stagingDir });
  new ZtunnelAllowNothing(new Chart(app, 'mesh'), 'allow-nothing', { istioApp });
  return app;
}

describe('synthesizeInto', () => {
  test('writes the charts into a new output directory and returns the file names', () => {
    const outdir = path.join(tempDir(), 'dist');
    expect(synthesizeInto(outdir, (dir) => build(dir))).toEqual(['mesh.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'mesh.k8s.yaml'), 'utf8')).toContain(
      'name: istio-k8s-istio-system-policy-global-allow-nothing-ztunnel',
    );
  });

  test('replaces the previous output, removing files that are no longer produced', () => {
    const outdir = path.join(tempDir(), 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'old');
    synthesizeInto(outdir, (dir) => build(dir));
    expect(fs.readdirSync(outdir)).toEqual(['mesh.k8s.yaml']);
  });

  test('leaves the previous output exactly as it was when building the app fails', () => {
    const parent = tempDir();
    const outdir = path.join(parent, 'dist');
    synthesizeInto(outdir, (dir) => build(dir));
    const before = fs.readFileSync(path.join(outdir, 'mesh.k8s.yaml'), 'utf8');

    expect(() => synthesizeInto(outdir, (dir) => build(dir, 'Not Valid'))).toThrow(
      'istioApp makes the name',
    );
    expect(fs.readdirSync(outdir)).toEqual(['mesh.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'mesh.k8s.yaml'), 'utf8')).toBe(before);
    // No staging directory is left behind.
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('leaves the previous output as it was when a validation fails during synth', () => {
    const parent = tempDir();
    const outdir = path.join(parent, 'dist');
    synthesizeInto(outdir, (dir) => build(dir));
    expect(() =>
      synthesizeInto(outdir, (dir) => {
        const app = build(dir);
        app.charts[0].node.addValidation({ validate: () => ['late problem'] });
        return app;
      }),
    ).toThrow('late problem');
    expect(fs.readdirSync(outdir)).toEqual(['mesh.k8s.yaml']);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('writes byte-identical output on every run', () => {
    const first = path.join(tempDir(), 'dist');
    const second = path.join(tempDir(), 'dist');
    synthesizeInto(first, (dir) => build(dir));
    synthesizeInto(second, (dir) => build(dir));
    expect(fs.readFileSync(path.join(second, 'mesh.k8s.yaml'))).toEqual(
      fs.readFileSync(path.join(first, 'mesh.k8s.yaml')),
    );
  });
});
