#!/usr/bin/env node
// Builds dist/: compiles src/ (tsconfig.build.json), writes the prebuilt workflow bundle and bundles
// the command line (scripts/bundle-cli.mjs: dist/cli/hubrun.js, which bin/hubrun.js runs).
//   node scripts/build.mjs             always builds; fails on a type error (npm run build, CI, the image)
//   node scripts/build.mjs --if-stale  builds only when src/ changed since the last build, and keeps
//                                      the output of code with type errors, as tsx did (npm test, demo)
//   node scripts/build.mjs --prepare   npm ci's `prepare`: builds (a type error does not fail the
//                                      install), or says why not when the dev dependencies are not
//                                      installed (npm ci --omit=dev)
// The build goes to a folder of its own and replaces dist/ by a rename, under a lock, so a hubrun
// process starting meanwhile sees the old build or the new one, never half of one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const { STAMP, staleReason } = require('./dist-freshness.js');

const root = new URL('..', import.meta.url).pathname;
const mode = process.argv[2] ?? '--always';
const dist = join(root, 'dist');
const lock = join(root, 'dist.lock');
/** A lock older than this was left by a build that died; builds take well under a minute. */
const LOCK_STALE_MS = 10 * 60_000;

/** A build failure whose cause is already on the console; the message says what failed. */
class BuildError extends Error {}

function fail(message) {
  throw new BuildError(message);
}

function resolveDev(name) {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

async function acquireLock() {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(250);
    }
  }
}

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

async function main() {
  if (!['--always', '--if-stale', '--prepare'].includes(mode)) fail(`unknown option ${mode}`);
  const tsc = resolveDev('typescript/bin/tsc');
  const tsx = resolveDev('tsx');
  if (tsc === undefined || tsx === undefined) {
    if (mode === '--prepare') {
      console.error('build: skipped, the dev dependencies are not installed (npm ci --omit=dev)');
      return;
    }
    fail('typescript and tsx are missing: run `npm ci` (with the dev dependencies)');
  }
  if (mode === '--if-stale' && staleReason(root) === undefined) return;
  await acquireLock();
  try {
    // Another build may have finished while this one waited for the lock.
    if (mode === '--if-stale' && staleReason(root) === undefined) return;
    const startedAt = Date.now();
    const out = join(root, `dist.tmp-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    try {
      const typed = run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out]);
      if (!typed && (mode === '--always' || !existsSync(join(out, 'cli', 'main.js')))) {
        fail('tsc found errors (above)');
      }
      if (!typed)
        console.error('build: type errors (above); dist/ built anyway, `npm run lint` fails on them');
      if (!run(process.execPath, ['--import', 'tsx', 'scripts/bundle-workflows.ts', out])) {
        fail('the workflow bundle failed (above)');
      }
      if (!run(process.execPath, ['scripts/bundle-cli.mjs', out])) fail('the CLI bundle failed (above)');
      writeFileSync(join(out, STAMP), `${JSON.stringify({ startedAt })}\n`);
      const old = join(root, `dist.old-${process.pid}`);
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(out, dist);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

await main().catch((err) => {
  console.error(err instanceof BuildError ? `build: ${err.message}` : err);
  process.exitCode = 1;
});
