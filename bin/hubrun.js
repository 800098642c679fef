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
// The command line bundled into one file (scripts/bundle-cli.mjs), run with V8's code cache of
// the command (bin/code-cache.js), so the Temporal client loads faster from the second run on.
// Node.js 22.1 and later also keep the compiled code of the modules outside the bundle (the
// worker's) with their own compile cache.
require('node:module').enableCompileCache?.();
const command = process.argv.slice(2).find((arg) => /^[a-z][\w-]*$/.test(arg)) ?? 'help';
require('./code-cache.js')
  .requireWithCodeCache(join(root, 'dist', 'cli', 'hubrun.js'), command)
  .run(process.argv);
