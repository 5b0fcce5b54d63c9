#!/usr/bin/env node
// Runs a compiled entry point of this project (`node scripts/compiled.js main`), first compiling
// the TypeScript sources into build/ when one of them is newer than the last successful build.
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
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(stamp, '');
}

/**
 * Compiles build/ when a source is newer than it, then returns the path of the compiled `entry`.
 * An installed package ships build/ without its sources: nothing to compile there.
 */
function compiledEntry(entry) {
  if (fs.existsSync(path.join(root, 'tsconfig.build.json')) && !isFresh()) {
    build();
  }
  return path.join(buildDir, `${entry}.js`);
}

module.exports = { compiledEntry };

if (require.main === module) {
  const [entry, ...rest] = process.argv.slice(2);
  if (entry === '--build') {
    build();
  } else if (!entry) {
    console.error('usage: node scripts/compiled.js <entry> [args...] | --build');
    process.exit(2);
  } else {
    const file = compiledEntry(entry);
    process.argv = [process.argv[0], file, ...rest];
    require(file);
  }
}
