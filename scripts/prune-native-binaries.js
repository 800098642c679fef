#!/usr/bin/env node
// Trims a production install for the one platform it runs on: the Temporal core bridge ships its
// prebuilt native module for every platform it supports (about 28 MB each, five of them) and the
// Rust sources they were built from; a worker loads one binary and no source. The production
// image runs this after `npm ci --omit=dev`; test/e2e/packed-install.test.ts runs a worker on an
// install trimmed by it.
//   node scripts/prune-native-binaries.js [DIR]   DIR holds node_modules/ (default: the current folder)
// The binary to keep is the one the bridge itself would load (its own getPrebuiltPath()); nothing
// is removed unless that binary is there.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node in the image before anything is built there */
const { existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

/** Bytes under `path`, without following links. */
function sizeOf(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isSymbolicLink()) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), stat.size);
}

function main() {
  const dir = resolve(process.argv[2] ?? '.');
  const common = require.resolve('@temporalio/core-bridge/common.js', { paths: [dir] });
  const bridge = dirname(common);
  const keep = require(common).getPrebuiltPath();
  const releases = join(bridge, 'releases');
  const doomed = [
    ...readdirSync(releases)
      .map((name) => join(releases, name))
      .filter((path) => !keep.startsWith(path + '/')),
    join(bridge, 'sdk-core'),
  ].filter((path) => existsSync(path));
  let freed = 0;
  for (const path of doomed) {
    freed += sizeOf(path);
    rmSync(path, { recursive: true, force: true });
  }
  const mb = (freed / 1024 / 1024).toFixed(0);
  console.log(
    `prune-native-binaries: kept ${keep.slice(bridge.length + 1)}, removed ${doomed.length} folders (${mb} MB)`,
  );
}

main();
