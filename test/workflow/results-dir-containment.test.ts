/**
 * A pipeline's `resultsDir` comes from whoever may start workflows on the task queue, so the
 * worker writes results only under its own roots (`HUBRUN_OUTPUT_DIR`, `HUBRUN_RESULTS_ROOTS`),
 * by real path, and never through a symbolic link out of them.
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ResultsWriter } from '../../src/activities/results-sink';
import { failureTypes } from '../../src/failure-types';
import type { StoredPipelineResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { causeChain, failureTypeOf, rejectionOf } from '../helpers/failures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

describe('results are written only inside the worker’s results roots', () => {
  let env: PipelineEnv;
  let batchId: number;
  let otherRoot: string;
  /** Paths a failing version of hubrun might create outside the roots; removed afterwards. */
  const strays: string[] = [];

  before(async () => {
    env = await startPipelineEnv();
    batchId = await seedBatch(env.emulator, sampleInvoices(2));
    otherRoot = await mkdtemp(join(tmpdir(), 'hubrun-results-root-'));
  });
  after(async () => {
    for (const path of strays) await rm(path, { recursive: true, force: true });
    await env.close();
  });

  const run = (input: Record<string, unknown>): Promise<StoredPipelineResult> =>
    env.withWorker(
      async () => {
        const handle = await env.start({ appName: 'invoices', batchId, wait: quickWait, ...input });
        return handle.result();
      },
      { deps: { resultsRoots: [otherRoot] } },
    );

  /**
   * Runs a pipeline that must fail as bad input naming `resultsDir`; `beforeStart`: the input
   * check refuses it, before any run is started at AI Hub.
   */
  async function assertRefused(
    input: Record<string, unknown> & { workflowId: string },
    { beforeStart }: { beforeStart: boolean },
  ): Promise<void> {
    const startsBefore = (await env.admin.calls()).counts.runApp;
    const err = await rejectionOf(run(input));
    assert.equal(failureTypeOf(err), failureTypes.badInput, String(err));
    const failure = causeChain(err).find((c): c is ApplicationFailure => c instanceof ApplicationFailure);
    assert.match(failure?.message ?? '', /(^|: )resultsDir: /);
    assert.equal(failure?.nonRetryable, true);
    const started = (await env.admin.calls()).counts.runApp - startsBefore;
    assert.equal(started, beforeStart ? 0 : 1, beforeStart ? 'no run was started' : 'the run was started');
  }

  it('refuses a resultsDir outside every root, and writes nothing there', async () => {
    const workflowId = uniqueId('contain-etc');
    strays.push(join('/etc', workflowId));
    await assertRefused({ workflowId, resultsDir: '/etc' }, { beforeStart: true });
    assert.equal(await exists(join('/etc', workflowId)), false);
  });

  it('refuses a resultsDir that is a symbolic link in a root pointing out of it', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'hubrun-elsewhere-'));
    strays.push(elsewhere);
    await symlink(elsewhere, join(env.outputDir, 'evil'));
    await assertRefused(
      { workflowId: uniqueId('contain-link'), resultsDir: join(env.outputDir, 'evil') },
      { beforeStart: true },
    );
    assert.deepEqual(await readdir(elsewhere), []);
  });

  it('refuses a symbolic link planted where the workflow’s folder goes', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'hubrun-elsewhere-'));
    strays.push(elsewhere);
    const workflowId = uniqueId('contain-planted');
    await symlink(elsewhere, join(env.outputDir, workflowId));
    // The link is found only when the folder is made, once the results are there to write.
    await assertRefused({ workflowId }, { beforeStart: false });
    assert.deepEqual(await readdir(elsewhere), []);
  });

  it('writes under a new subfolder of a root, and under another configured root', async () => {
    const nested = join(env.outputDir, 'nightly', '2026-11-28');
    const inOutput = await run({ workflowId: uniqueId('contain-nested'), resultsDir: nested });
    assert.ok(inOutput.resultsPath.startsWith(`${nested}/`), inOutput.resultsPath);
    assert.equal((await readFile(inOutput.resultsPath, 'utf8')).trim().split('\n').length, 2);

    const inOther = await run({ workflowId: uniqueId('contain-other'), resultsDir: otherRoot });
    assert.ok(inOther.resultsPath.startsWith(`${otherRoot}/`), inOther.resultsPath);
    assert.equal((await readFile(inOther.manifestPath, 'utf8')).includes(inOther.resultsSha256), true);
  });

  it('follows a symbolic link that stays inside a root', async () => {
    await mkdir(join(env.outputDir, 'real-target'));
    await symlink(join(env.outputDir, 'real-target'), join(env.outputDir, 'inside-link'));
    const result = await run({
      workflowId: uniqueId('contain-inside'),
      resultsDir: join(env.outputDir, 'inside-link'),
    });
    assert.equal(result.files, 2);
    assert.deepEqual(await readdir(join(env.outputDir, 'real-target')), [result.workflowId]);
    const real = join(env.outputDir, 'real-target', result.workflowId);
    assert.ok(result.resultsPath.startsWith(`${real}/`), `the real path is reported: ${result.resultsPath}`);
  });

  it('never follows a symbolic link planted as the results file or the predecessor’s file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hubrun-planted-'));
    const secret = join(await mkdtemp(join(tmpdir(), 'hubrun-elsewhere-')), 'secret.txt');
    strays.push(folder, dirname(secret));
    await writeFile(secret, 'not for the results\n');
    await symlink(secret, join(folder, 'results.jsonl.partial-1'));
    // A retry told to resume from attempt 1's file does not read through the link.
    await assert.rejects(ResultsWriter.open(folder, 2, { attempt: 1, bytes: 5 }), { code: 'ELOOP' });
    await symlink(secret, join(folder, 'results.jsonl'));
    const { writer } = await ResultsWriter.open(folder, 3, null);
    await writer.append([{ original_file_name: 'a.txt', documents: [] }]);
    await assert.rejects(writer.publish(), { code: 'ELOOP' });
    assert.equal(await readFile(secret, 'utf8'), 'not for the results\n');
  });
});
