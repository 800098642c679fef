#!/usr/bin/env node
// Runs the node:test suites under test/ (Node 20's --test cannot glob TypeScript files itself).
// Usage: node scripts/run-tests.mjs [folder-or-file-filter ...]   e.g. `npm test -- contract`
// Tests run `hubrun` as users do (bin/hubrun.js, the compiled CLI), so dist/ is rebuilt first
// when src/ changed since the last build, and that build serves the whole run. The suites run on the node that runs this script
// (.ci/run runs some of them again on Node 24 that way).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const files = collect(join(root, 'test'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=900000', ...files],
  // The build above is what these tests run, even when a source changes meanwhile (bin/hubrun.js).
  { cwd: root, stdio: 'inherit', env: { ...process.env, ALLOW_STALE_HUBRUN_BUILD: '1' } },
);
process.exit(result.status ?? 1);
