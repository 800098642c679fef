// Whether dist/ was built from the sources now in src/: bin/hubrun.js refuses a stale build in a
// checkout, and scripts/build.mjs --if-stale rebuilds one. The build stamp (dist/build-stamp.json)
// records when the build started; a source file changed since then makes the build stale.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, loaded before any build exists */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** The stamp's name inside dist/. */
const STAMP = 'build-stamp.json';

/** Files besides src/ whose change means a rebuild. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/bundle-cli.mjs'];

/**
 * Why the build in `<root>/dist` does not match `<root>/src`, or undefined when it does.
 * @param {string} root the checkout
 * @returns {string | undefined}
 */
function staleReason(root) {
  let startedAt;
  try {
    startedAt = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8')).startedAt;
  } catch {
    return 'hubrun is not built (dist/ is missing or incomplete)';
  }
  const changed = (file) => (statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0) > startedAt;
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const found = entry.isDirectory() ? walk(path) : changed(path) ? path : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const file = walk('src') ?? BUILD_INPUTS.find(changed);
  if (file !== undefined) return `${file} changed after the last build`;
  return undefined;
}

module.exports = { STAMP, staleReason };
