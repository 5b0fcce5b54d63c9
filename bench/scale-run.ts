/**
 * One measured run of the scale benchmark, in a process of its own so that its peak memory is its
 * own: `bench/run.ts` starts it and reads the one JSON line it prints on stdout.
 *
 * - `synth <policies> <outdir>`: builds the generated mesh of `<policies>` ALLOWs and synthesizes
 *   it into `<outdir>` (timed together: what a platform repository's synth costs);
 * - `check <outdir>`: reads the YAML back, builds the checker's mesh and its full reachability
 *   matrix (the matrix timed on its own: the decisions).
 */
import { buildMatrix, loadManifests, Mesh } from '../lib';
import { generateMesh, sizeForPolicies } from './mesh-generator';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** CPU seconds (user and system) this process spent since `start`. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Peak resident set of this process, in MiB (maxRSS is in KiB). */
function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function synth(policies: number, outdir: string): Record<string, number> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const mesh = generateMesh(outdir, sizeForPolicies(policies));
  mesh.app.synth();
  const synthSeconds = seconds(start);
  return {
    synthSeconds,
    synthCpuSeconds: cpuSeconds(cpuStart),
    workloads: mesh.workloads,
    allowPolicies: mesh.allowPolicies,
    authorizationPolicies: mesh.authorizationPolicies,
    peakRssMb: peakRssMb(),
  };
}

function check(outdir: string): Record<string, number> {
  const loadStart = process.hrtime.bigint();
  const mesh = Mesh.fromManifests(loadManifests([outdir]));
  const loadSeconds = seconds(loadStart);
  const matrixStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const matrix = buildMatrix(mesh);
  const matrixSeconds = seconds(matrixStart);
  const matrixCpuSeconds = cpuSeconds(cpuStart);
  let pairs = 0;
  let allowed = 0;
  for (const row of matrix.cells) {
    for (const cell of row) {
      if (cell) {
        pairs++;
        allowed += cell.decision === 'allow' ? 1 : 0;
      }
    }
  }
  return { loadSeconds, matrixSeconds, matrixCpuSeconds, pairs, allowed, peakRssMb: peakRssMb() };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'synth' && args.length === 2) {
  console.log(JSON.stringify(synth(Number(args[0]), args[1])));
} else if (mode === 'check' && args.length === 1) {
  console.log(JSON.stringify(check(args[0])));
} else {
  console.error('usage: scale-run.ts synth <policies> <outdir> | check <outdir>');
  process.exit(2);
}
