#!/usr/bin/env node
// The `hardened-mesh` command: runs the compiled CLI (lib/cli.ts), compiling build/ first when a
// source is newer, so a fresh clone works right after `npm ci`.
'use strict';
const { compiledEntry } = require('../scripts/compiled.js');

let code;
try {
  code = require(compiledEntry('lib/cli')).runCli(process.argv.slice(2));
} catch (error) {
  // Exit codes 1 and 2 mean "a case failed" and "bad input"; a bug in the checker is neither.
  console.error('hardened-mesh: internal error:', error);
  code = 3;
}
process.exitCode = code;
