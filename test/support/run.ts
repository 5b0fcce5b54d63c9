import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The root of this project's checkout. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The outcome of a command run to completion. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <args>` in `cwd` with `env` added to a clean environment, and waits for it. */
export function runNode(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): RunResult {
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK8S_CHECK_UPGRADE: 'false', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A new empty directory under the system's temporary directory. */
export function tempDir(prefix = 'hardened-mesh-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
