import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';

/** What an output directory may hold: the manifests a synth writes, nothing else. */
const SYNTH_OUTPUT = /\.ya?ml$/;

/** Thrown when the output directory is one that a synth must not replace. */
export class OutputDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputDirectoryError';
  }
}

/**
 * Synthesizes the app that `build` makes into `outdir`, replacing what was there only once the
 * whole synthesis has succeeded.
 *
 * The app is built and synthesized into a staging directory beside `outdir`; any error (a refused
 * prop, a failed validation) removes the staging directory and leaves `outdir` exactly as it was.
 * Unlike `cdk8s synth`, which empties the output directory before it runs the app, a failed run
 * therefore never leaves a GitOps repository with a half-written or missing `dist/`.
 *
 * The output directory is replaced whole, so it is checked first: it must not be the working
 * directory or one of its parents, and may hold only YAML files from an earlier synth. A symbolic
 * link is followed, so a `dist` that links into a GitOps checkout updates that checkout.
 *
 * @returns the paths of the files written, relative to `outdir`, sorted
 */
export function synthesizeInto(outdir: string, build: (stagingDir: string) => App): string[] {
  const target = resolveOutputDirectory(outdir);
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

function resolveOutputDirectory(outdir: string): string {
  if (outdir.trim() === '') {
    throw new OutputDirectoryError('the output directory is empty; name a directory such as dist');
  }
  let target = path.resolve(outdir);
  if (fs.existsSync(target)) {
    target = fs.realpathSync(target);
  }
  const cwd = fs.realpathSync(process.cwd());
  const relative = path.relative(target, cwd);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new OutputDirectoryError(
      `the output directory ${outdir} is the working directory or one of its parents, which a ` +
        'synth would replace whole; name a directory of its own such as dist',
    );
  }
  if (!fs.existsSync(target)) {
    return target;
  }
  if (!fs.statSync(target).isDirectory()) {
    throw new OutputDirectoryError(
      `the output directory ${outdir} is not a directory; move the file away or name another directory`,
    );
  }
  const foreign = fs
    .readdirSync(target, { withFileTypes: true })
    .filter((entry) => !entry.isFile() || !SYNTH_OUTPUT.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (foreign.length > 0) {
    throw new OutputDirectoryError(
      `the output directory ${outdir} holds ${foreign.map((name) => JSON.stringify(name)).join(', ')}, ` +
        'which a synth did not write and would delete; it may hold only the YAML files of an earlier synth',
    );
  }
  return target;
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
  // The new output is in place; failing to delete the old copy must not fail the synth.
  try {
    fs.rmSync(previous, { recursive: true, force: true });
  } catch {
    // Left as a hidden `.<name>.staging-*.previous` directory, ignored by git.
  }
}
