#!/usr/bin/env node
// The `hubrun` command: runs the compiled CLI in dist/. In a checkout, `npm ci` builds it and
// `npm run build` rebuilds it (npm test and npm run demo rebuild it when needed); a build older
// than the sources in src/ is refused rather than run, except under ALLOW_STALE_HUBRUN_BUILD=1,
// which the test runner sets once it has built: sources edited while tests run do not fail them.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
if (existsSync(join(root, 'src')) && process.env.ALLOW_STALE_HUBRUN_BUILD !== '1') {
  const stale = require('../scripts/dist-freshness.js').staleReason(root);
  if (stale !== undefined) {
    process.stderr.write(`hubrun: ${stale}: run \`npm run build\`\n`);
    process.exit(1);
  }
}
// Node.js 22.1 and later keep V8's compiled code of every module between runs (as tsc does), so
// the Temporal SDK loads faster from the second command on; Node 20 has no such cache.
require('node:module').enableCompileCache?.();
require(join(root, 'dist', 'cli', 'main.js')).run(process.argv);
