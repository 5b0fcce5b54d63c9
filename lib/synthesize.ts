import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';

/**
 * Synthesizes the app that `build` makes into `outdir`, replacing what was there only once the
 * whole synthesis has succeeded.
 *
 * The app is built and synthesized into a staging directory beside `outdir`; any error (a refused
 * prop, a failed validation) removes the staging directory and leaves `outdir` exactly as it was.
 * Unlike `cdk8s synth`, which empties the output directory before it runs the app, a failed run
 * therefore never leaves a GitOps repository with a half-written or missing `dist/`.
 *
 * @returns the paths of the files written, relative to `outdir`, sorted
 */
export function synthesizeInto(outdir: string, build: (stagingDir: string) => App): string[] {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(
    path.join(path.dirname(target), `.${path.basename(target)}.staging-`),
  );
  try {
    fs.chmodSync(staging, 0o755);
    build(staging).synth();
    const files = fs.readdirSync(staging).sort();
    replaceDirectory(target, staging);
    return files;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function replaceDirectory(target: string, replacement: string): void {
  const previous = `${replacement}.previous`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) {
    fs.renameSync(target, previous);
  }
  try {
    fs.renameSync(replacement, target);
  } catch (error) {
    if (hadTarget) {
      fs.renameSync(previous, target);
    }
    throw error;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}
