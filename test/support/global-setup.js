// Compiles build/ once before the test files run, so tests that start the compiled app or CLI
// in parallel never race to rebuild it.
const { ensureBuilt } = require('../../scripts/compiled.js');

module.exports = async () => {
  ensureBuilt();
};
