/**
 * `npm run bench`: wall-time ratios measured side by side in one run.
 *
 * Each measured command runs in turn with its baseline (interleaved, so load on this noisy
 * 2-core machine hits both alike), several times over; the figures are medians. One
 * `name: value` line per figure goes to stdout, progress to stderr.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

function wallSeconds(command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  }
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times `measured` against `baseline`, interleaved, after one warm-up run of each. */
function compare(
  name: string,
  measured: [string, string[]],
  baseline: [string, string[]],
): { measured: number; baseline: number } {
  wallSeconds(...measured);
  wallSeconds(...baseline);
  const measuredTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    process.stderr.write(
      `${process.stderr.isTTY ? '\r' : ''}${name}: round ${round}/${ROUNDS}${process.stderr.isTTY ? '' : '\n'}`,
    );
    baselineTimes.push(wallSeconds(...baseline));
    measuredTimes.push(wallSeconds(...measured));
  }
  if (process.stderr.isTTY) {
    process.stderr.write('\n');
  }
  return { measured: median(measuredTimes), baseline: median(baselineTimes) };
}

const synth = compare(
  'synth_vs_bare_node',
  ['npm', ['run', '--silent', 'synth']],
  [process.execPath, ['-e', "require('cdk8s')"]],
);
console.log(`synth_s: ${synth.measured.toFixed(3)}`);
console.log(`bare_node_cdk8s_s: ${synth.baseline.toFixed(3)}`);
console.log(`synth_vs_bare_node: ${(synth.measured / synth.baseline).toFixed(2)}`);
