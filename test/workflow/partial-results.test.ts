import assert from 'node:assert/strict';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { failureTypes } from '../../src/failure-types';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { failureTypeOf } from '../helpers/failures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';

describe('a COMPLETE run with ERROR fields', () => {
  let env: PipelineEnv;
  before(async () => {
    env = await startPipelineEnv();
  });
  after(() => env.close());

  it('fails as partial results above maxErrorRatio, with its results still written', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(10));
    const workflowId = uniqueId('partial');
    const err = await env.withWorker(async () => {
      const handle = await env.start({
        workflowId,
        appName: 'invoices-noisy',
        batchId,
        maxErrorRatio: 0.1,
        wait: quickWait,
      });
      return handle.result().then(
        () => assert.fail('the pipeline should fail'),
        (e: unknown) => e,
      );
    });
    assert.equal(failureTypeOf(err), failureTypes.partialResults);
    const [execution] = await readdir(join(env.outputDir, workflowId));
    await access(join(env.outputDir, workflowId, execution ?? '-', 'results.jsonl'));
    await access(join(env.outputDir, workflowId, execution ?? '-', 'manifest.json'));
  });

  it('completes below the threshold and reports the error share', async () => {
    const batchId = await seedBatch(env.emulator, sampleInvoices(10));
    const result = await env.withWorker(async () => {
      const handle = await env.start({
        workflowId: uniqueId('partial-ok'),
        appName: 'invoices-noisy',
        batchId,
        wait: quickWait,
      });
      return handle.result();
    });
    assert.ok(result.fieldErrors > 0, `${result.fieldErrors} ERROR fields`);
    assert.equal(result.errorRatio, result.fieldErrors / result.fields);
  });
});
