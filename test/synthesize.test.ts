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

  test('follows a symbolic link, so a dist linked into a GitOps checkout updates that checkout', () => {
    const parent = tempDir();
    const gitops = path.join(parent, 'gitops');
    fs.mkdirSync(gitops);
    fs.writeFileSync(path.join(gitops, 'mesh.k8s.yaml'), 'old');
    const link = path.join(parent, 'dist');
    fs.symlinkSync(gitops, link);

    synthesizeInto(link, (dir) => build(dir));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(gitops, 'mesh.k8s.yaml'), 'utf8')).toContain('allow-nothing');
  });

  describe('refuses an output directory it would destroy', () => {
    let cwd: string;
    beforeEach(() => {
      cwd = process.cwd();
    });
    afterEach(() => {
      process.chdir(cwd);
    });

    test.each([
      ['empty', '', 'the output directory is empty; name a directory such as dist'],
      [
        'the working directory',
        '.',
        'the output directory . is the working directory or one of its parents',
      ],
      ['a parent', '..', 'the output directory .. is the working directory or one of its parents'],
    ])('fails on %s', (_what, outdir, message) => {
      const project = tempDir();
      fs.mkdirSync(path.join(project, 'sub'));
      process.chdir(path.join(project, 'sub'));
      expect(() => synthesizeInto(outdir, (dir) => build(dir))).toThrow(message);
      expect(fs.readdirSync(project)).toEqual(['sub']);
    });

    test('fails on a directory holding files a synth did not write', () => {
      const outdir = path.join(tempDir(), 'dist');
      fs.mkdirSync(path.join(outdir, 'nested'), { recursive: true });
      fs.writeFileSync(path.join(outdir, 'notes.txt'), 'mine');
      expect(() => synthesizeInto(outdir, (dir) => build(dir))).toThrow(
        'holds "nested", "notes.txt", which a synth did not write and would delete; ' +
          'it may hold only the YAML files of an earlier synth',
      );
      expect(fs.readdirSync(outdir)).toEqual(['nested', 'notes.txt']);
    });

    test('fails on a file in place of the directory', () => {
      const outdir = path.join(tempDir(), 'dist');
      fs.writeFileSync(outdir, 'notes');
      expect(() => synthesizeInto(outdir, (dir) => build(dir))).toThrow('is not a directory');
      expect(fs.readFileSync(outdir, 'utf8')).toBe('notes');
    });
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
