#!/usr/bin/env node
// Runs a compiled entry point of this project (`node scripts/compiled.js main`), first compiling
// the TypeScript sources into build/ when one of them is newer than the last successful build
// (so the first run after a fresh `npm ci` compiles, in about two seconds).
//
// Compiled JavaScript starts about as fast as bare node; running the sources through a
// TypeScript loader on every synth costs several times that. The freshness check is a stat of
// each source file, so an edited main.ts or lib/ file is never run stale.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const stamp = path.join(buildDir, '.stamp');
const sources = ['main.ts', 'lib', 'imports'];

function newestSourceTime(entry) {
  const full = path.join(root, entry);
  let stat;
  try {
    stat = fs.statSync(full);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) {
    return full.endsWith('.ts') ? stat.mtimeMs : 0;
  }
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(full)) {
    newest = Math.max(newest, newestSourceTime(path.join(entry, child)));
  }
  return newest;
}

function isFresh() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  return sources.every((entry) => newestSourceTime(entry) <= built);
}

function build() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('hardened-mesh: the TypeScript sources do not compile; nothing was run');
    process.exit(1);
  }
  fs.writeFileSync(stamp, '');
}

/** Compiles build/ unless it is fresh; a no-op where the sources are absent (installed package). */
function ensureBuilt() {
  if (fs.existsSync(path.join(root, 'tsconfig.build.json')) && !isFresh()) {
    build();
  }
}

function main() {
  const [entry, ...rest] = process.argv.slice(2);
  if (entry === '--build') {
    build();
    return;
  }
  if (!entry) {
    console.error('usage: node scripts/compiled.js <entry> [args...] | --build');
    process.exit(2);
  }
  ensureBuilt();
  const file = path.join(buildDir, `${entry}.js`);
  process.argv = [process.argv[0], file, ...rest];
  require(file);
}

module.exports = { ensureBuilt };

if (require.main === module) {
  main();
}
