import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { FaultRule } from '../../src/emulator';
import { retryableFailureTypes } from '../../src/failure-types';
import type { StoredPipelineResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('results pages are read to the last file, whatever has_more says', () => {
  let env: PipelineEnv;
  let batchId: number;
  let reference: StoredPipelineResult;

  /** Failure types of the paging attempts seen failing while the last pipeline ran. */
  let attemptFailures: string[] = [];

  const run = (prefix: string): Promise<StoredPipelineResult> =>
    env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId(prefix),
        appName: 'invoices',
        batchId,
        wait: quickWait,
      });
      attemptFailures = [];
      let settled = false;
      const result = handle.result().finally(() => (settled = true));
      while (!settled) {
        for (const activity of (await handle.describe()).raw.pendingActivities ?? []) {
          const type = activity.lastFailure?.applicationFailureInfo?.type;
          if (activity.activityType?.name === 'fetchResults' && type && !attemptFailures.includes(type)) {
            attemptFailures.push(type);
          }
        }
        await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
      }
      return result;
    });

  /** `file_offset:files` of each results page the emulator served, in order. */
  async function pagesServed(): Promise<string[]> {
    const { log } = await env.admin.calls();
    return log
      .filter((c) => c.endpoint === 'getRunResults')
      .map((c) => `${new URL(c.path, 'http://x').searchParams.get('file_offset') ?? '0'}:${c.status}`);
  }

  async function runWith(prefix: string, rule: FaultRule): Promise<StoredPipelineResult> {
    await env.admin.resetCalls();
    await env.admin.setFaults([rule]);
    try {
      return await run(prefix);
    } finally {
      await env.admin.setFaults([]);
    }
  }

  async function assertSameResults(result: StoredPipelineResult): Promise<void> {
    assert.equal(result.files, 5);
    assert.equal(result.documents, reference.documents);
    assert.equal(result.fields, reference.fields);
    assert.equal(result.resultsSha256, reference.resultsSha256);
    assert.equal(await readFile(result.resultsPath, 'utf8'), await readFile(reference.resultsPath, 'utf8'));
  }

  before(async () => {
    env = await startPipelineEnv({ emulator: { pageSize: 2 } });
    batchId = await seedBatch(env.emulator, sampleInvoices(5));
    reference = await run('pages-ref');
  });
  after(() => env.close());

  it('an empty page that claims has_more fails the attempt, and the retry resumes from the checkpoint', async () => {
    const result = await runWith('pages-empty', {
      endpoint: 'getRunResults',
      kind: 'results-shape',
      shape: 'empty-has-more',
      after: 1,
      times: 2,
    });
    await assertSameResults(result);
    assert.deepEqual(
      attemptFailures,
      [retryableFailureTypes.unavailable],
      'the attempts failed as retryable',
    );
    // Offsets 0, 2 (empty, twice: two failed attempts), then 2 and 4 again: never back to 0.
    assert.deepEqual(await pagesServed(), ['0:200', '2:200', '2:200', '2:200', '4:200']);
  });

  it('pages without has_more are read until a page with no files', async () => {
    const result = await runWith('pages-no-has-more', {
      endpoint: 'getRunResults',
      kind: 'results-shape',
      shape: 'omit-has-more',
    });
    await assertSameResults(result);
    assert.deepEqual(await pagesServed(), ['0:200', '2:200', '4:200', '5:200']);
  });

  it('keys answered as a list do not stop the pipeline', async () => {
    const result = await runWith('pages-keys-list', {
      endpoint: 'getRunResults',
      kind: 'results-shape',
      shape: 'keys-as-list',
    });
    await assertSameResults(result);
  });
});
