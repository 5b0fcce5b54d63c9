/**
 * `npm run bench`: wall-time ratios measured side by side in one run.
 *
 * Each measured command runs in turn with its baseline (interleaved, so load on this noisy
 * 2-core machine hits both alike), several times over; the figures are medians. One
 * `name: value` line per figure goes to stdout, progress to stderr.
 *
 * The scale part synthesizes generated meshes (bench/mesh-generator.ts) of 1,000 and 10,000
 * ALLOW policies and runs the checker's full reachability matrix on each, every run in a process
 * of its own (bench/scale-run.ts) that reports its own peak memory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = positiveInteger('BENCH_ROUNDS', 9);
const SCALE_ROUNDS = positiveInteger('BENCH_SCALE_ROUNDS', 5);
/** The base mesh, and the mesh with ten times its workloads and policies. */
const BASE_POLICIES = 1000;
const LARGE_POLICIES = 10 * BASE_POLICIES;

function positiveInteger(name: string, fallback: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') {
    return fallback;
  }
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(given)}`);
  }
  return value;
}

function progress(message: string): void {
  process.stderr.write(
    `${process.stderr.isTTY ? '\r\x1b[K' : ''}${message}${process.stderr.isTTY ? '' : '\n'}`,
  );
}

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
    progress(`${name}: round ${round}/${ROUNDS}`);
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

/** Runs bench/scale-run.ts in a fresh process; returns the figures it prints. */
function scaleRun(args: readonly string[]): Record<string, number> {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'scale-run.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  if (result.status !== 0) {
    throw new Error(`scale-run.ts ${args.join(' ')} exited with ${result.status}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

interface ScaleRound {
  synthSeconds: number;
  synthCpuSeconds: number;
  synthRssMb: number;
  loadSeconds: number;
  matrixSeconds: number;
  matrixCpuSeconds: number;
  pairs: number;
  checkRssMb: number;
}

/** Synthesizes and checks the mesh of `policies` ALLOWs once. */
function scaleRound(policies: number, label: string, round: number): ScaleRound {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `hardened-mesh-bench-${policies}-`));
  try {
    progress(`scale ${label}: round ${round}/${SCALE_ROUNDS}: synth`);
    const synthesized = scaleRun(['synth', String(policies), outdir]);
    if (synthesized.allowPolicies !== policies) {
      throw new Error(`the ${label} mesh has ${synthesized.allowPolicies} ALLOWs, not ${policies}`);
    }
    progress(`scale ${label}: round ${round}/${SCALE_ROUNDS}: check`);
    const checked = scaleRun(['check', outdir]);
    return {
      synthSeconds: synthesized.synthSeconds,
      synthCpuSeconds: synthesized.synthCpuSeconds,
      synthRssMb: synthesized.peakRssMb,
      loadSeconds: checked.loadSeconds,
      matrixSeconds: checked.matrixSeconds,
      matrixCpuSeconds: checked.matrixCpuSeconds,
      pairs: checked.pairs,
      checkRssMb: checked.peakRssMb,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

// The two sizes alternate, so drift in the machine's load hits both alike.
const base: ScaleRound[] = [];
const large: ScaleRound[] = [];
for (let round = 1; round <= SCALE_ROUNDS; round++) {
  base.push(scaleRound(BASE_POLICIES, '1k', round));
  large.push(scaleRound(LARGE_POLICIES, '10k', round));
}
if (process.stderr.isTTY) {
  process.stderr.write('\n');
}
const at = (runs: ScaleRound[], key: keyof ScaleRound) => median(runs.map((run) => run[key]));
const max = (runs: ScaleRound[], key: keyof ScaleRound) => Math.max(...runs.map((run) => run[key]));
// Ratios are medians of the per-round ratios: each compares two runs made side by side.
const ratio = (top: (i: number) => number, bottom: (i: number) => number) =>
  median(base.map((_, i) => top(i) / bottom(i)));
const perPair = (run: ScaleRound) => run.matrixSeconds / run.pairs;

console.log(`synth_1k_policies_s: ${at(base, 'synthSeconds').toFixed(3)}`);
console.log(`synth_10k_policies_s: ${at(large, 'synthSeconds').toFixed(3)}`);
// CPU time of the same runs: about what the wall time is on an otherwise idle machine.
console.log(`synth_10k_policies_cpu_s: ${at(large, 'synthCpuSeconds').toFixed(3)}`);
console.log(
  `synth_growth_10x: ${ratio(
    (i) => large[i].synthSeconds,
    (i) => base[i].synthSeconds,
  ).toFixed(2)}`,
);
console.log(`check_load_10k_s: ${at(large, 'loadSeconds').toFixed(3)}`);
console.log(`check_pairs_1k: ${base[0].pairs}`);
console.log(`check_pairs_10k: ${large[0].pairs}`);
console.log(`check_matrix_1k_s: ${at(base, 'matrixSeconds').toFixed(3)}`);
console.log(`check_matrix_10k_s: ${at(large, 'matrixSeconds').toFixed(3)}`);
console.log(
  `check_pairs_per_s: ${Math.round(median(large.map((run) => run.pairs / run.matrixSeconds)))}`,
);
console.log(
  `check_pairs_per_cpu_s: ${Math.round(median(large.map((run) => run.pairs / run.matrixCpuSeconds)))}`,
);
console.log(
  `check_growth_10x: ${ratio(
    (i) => perPair(large[i]),
    (i) => perPair(base[i]),
  ).toFixed(2)}`,
);
console.log(`peak_rss_synth_1k_mb: ${max(base, 'synthRssMb').toFixed(0)}`);
console.log(`peak_rss_synth_10k_mb: ${max(large, 'synthRssMb').toFixed(0)}`);
console.log(`peak_rss_check_1k_mb: ${max(base, 'checkRssMb').toFixed(0)}`);
console.log(`peak_rss_check_10k_mb: ${max(large, 'checkRssMb').toFixed(0)}`);
// Other work on the machine stretches every wall time above; this says how busy it was.
console.log(`machine_load_1m: ${os.loadavg()[0].toFixed(2)}`);
