#!/usr/bin/env node
// Runs a compiled entry point of this project (`node scripts/compiled.js main`), first compiling
// the TypeScript sources into build/ when one of them is newer than the last successful build
// (so the first run after a fresh `npm ci` compiles, in about two seconds).
//
// Compiled JavaScript starts about as fast as bare node; running the sources through a
// TypeScript loader on every synth costs several times that. Freshness is decided by a hash of
// the sources' contents, not their times, so a file copied in with an old time (`cp -p`, `tar x`)
// is never run stale; hashing the few hundred kilobytes takes a few milliseconds.
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const stamp = path.join(buildDir, '.stamp');
const sources = ['main.ts', 'lib', 'imports', 'tsconfig.json', 'tsconfig.build.json'];

function addSources(hash, entry) {
  const full = path.join(root, entry);
  let stat;
  try {
    stat = fs.statSync(full);
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    for (const child of fs.readdirSync(full).sort()) {
      addSources(hash, path.join(entry, child));
    }
  } else if (/\.(ts|json)$/.test(full)) {
    const content = fs.readFileSync(full);
    hash.update(`${entry}\0${content.length}\0`);
    hash.update(content);
  }
}

function sourceHash() {
  const hash = crypto.createHash('sha256');
  for (const entry of sources) {
    addSources(hash, entry);
  }
  return hash.digest('hex');
}

function isFresh() {
  try {
    return fs.readFileSync(stamp, 'utf8') === sourceHash();
  } catch {
    return false;
  }
}

function build() {
  // Hashed before compiling: an edit made while tsc runs makes the next run compile again.
  const hashBefore = sourceHash();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('hardened-mesh: the TypeScript sources do not compile; nothing was run');
    process.exit(1);
  }
  fs.writeFileSync(stamp, hashBefore);
}

/** Compiles build/ unless it is fresh; a no-op where the sources are absent (installed package). */
function ensureBuilt() {
  if (fs.existsSync(path.join(root, 'tsconfig.build.json')) && !isFresh()) {
    build();
  }
}

/** Compiles build/ if needed, then returns the path of the compiled `entry` (such as `lib/cli`). */
function compiledEntry(entry) {
  ensureBuilt();
  return path.join(buildDir, `${entry}.js`);
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
  const file = compiledEntry(entry);
  process.argv = [process.argv[0], file, ...rest];
  require(file);
}

module.exports = { ensureBuilt, compiledEntry };

if (require.main === module) {
  main();
}
