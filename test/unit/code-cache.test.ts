/**
 * bin/code-cache.js, which runs the bundled CLI with V8's code cache: a module runs the same with
 * or without a cache, a cache file that is broken or belongs to an earlier build is never used,
 * and a cache folder the user does not own alone is left alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/cli';

let scratch: string;
let moduleFile: string;

/** Runs `moduleFile` through requireWithCodeCache in a child with TMPDIR at `temporary`; returns what it printed. */
function runModule(temporary: string, key = 'status'): string {
  const loader = join(repoRoot, 'bin', 'code-cache.js');
  const script = `console.log(require(${JSON.stringify(loader)}).requireWithCodeCache(${JSON.stringify(moduleFile)}, ${JSON.stringify(key)}).answer(20));`;
  const child = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, TMPDIR: temporary },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout.trim();
}

function cacheFolder(temporary: string): string {
  return join(temporary, `hubrun-code-cache-${process.getuid?.() ?? 'user'}`);
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'hubrun-code-cache-test-'));
  moduleFile = join(scratch, 'module.js');
  // A relative require resolves from the module's own folder, as it would under require.
  writeFileSync(join(scratch, 'two.js'), 'module.exports = 2;\n');
  writeFileSync(
    moduleFile,
    'const double = (n) => n * 2;\nexports.answer = (n) => double(n) + require("./two.js");\n',
  );
});

after(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

void describe('requireWithCodeCache', () => {
  void it('runs the module as require would, writes its cache once, in a folder and file of the user alone', async () => {
    const temporary = await mkdtemp(join(scratch, 'tmp-'));
    assert.equal(runModule(temporary), '42');
    const folder = cacheFolder(temporary);
    const [cache = '', ...others] = readdirSync(folder);
    assert.ok(
      cache.endsWith('-status.bin') && others.length === 0,
      `one cache file: ${cache} ${others.join(', ')}`,
    );
    if (process.getuid) {
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(join(folder, cache)).mode & 0o777, 0o600);
    }
    const written = statSync(join(folder, cache)).mtimeMs;
    assert.equal(runModule(temporary), '42', 'the same answer from the cache');
    assert.equal(statSync(join(folder, cache)).mtimeMs, written, 'an accepted cache is not written again');
  });

  void it('a broken cache file only means compiling: the module runs and the cache is made anew', async () => {
    const temporary = await mkdtemp(join(scratch, 'tmp-'));
    runModule(temporary);
    const folder = cacheFolder(temporary);
    const [cache] = readdirSync(folder);
    writeFileSync(join(folder, cache!), 'not a code cache');
    assert.equal(runModule(temporary), '42');
    assert.notEqual(statSync(join(folder, cache!)).size, 'not a code cache'.length, 'rewritten');
  });

  void it("drops this Node's caches of an earlier build when it writes one for the new build", async () => {
    const temporary = await mkdtemp(join(scratch, 'tmp-'));
    runModule(temporary, 'status');
    const folder = cacheFolder(temporary);
    const [old] = readdirSync(folder);
    const later = new Date(Date.now() + 60_000);
    utimesSync(moduleFile, later, later); // a rebuilt bundle
    assert.equal(runModule(temporary, 'status'), '42');
    const left = readdirSync(folder);
    assert.equal(left.length, 1, `only the new build's cache: ${left.join(', ')}`);
    assert.notEqual(left[0], old);
  });

  void it(
    'leaves a cache folder others can write alone and runs without it',
    { skip: !process.getuid },
    async () => {
      const temporary = await mkdtemp(join(scratch, 'tmp-'));
      const folder = cacheFolder(temporary);
      mkdirSync(folder);
      chmodSync(folder, 0o777);
      assert.equal(runModule(temporary), '42');
      assert.deepEqual(readdirSync(folder), [], 'nothing written into a folder others can write');
      assert.ok(existsSync(folder));
    },
  );
});
