#!/usr/bin/env node
// The command line runs the TypeScript sources directly through tsx, so a fresh `npm ci` is all it needs.
require('tsx/cjs');
const { main } = require('../lib/cli/main.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
