import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { phases } from '../../src/progress';
import { searchAttributes } from '../../src/search-attributes';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

describe('a run stopped at the review checkpoint is visible as such and resumes when reviewed', () => {
  const temporal = useTemporal();

  it('waits in review, is listed by AihubRunStatus, and completes with results once the review is done', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(3));
      const workflowId = uniqueId('review');
      const result = await env.withWorker(async () => {
        const handle = await env.start({ workflowId, appName: 'invoices-review', batchId, wait: quickWait });

        // Visibility is eventually consistent: poll the operators' query until it answers.
        const query = `WorkflowId = '${workflowId}' AND AihubRunStatus = 'STOPPED_AT_CHECKPOINT'`;
        const listed = await pollUntil<WorkflowExecutionInfo>(
          'the pipeline to be listed at the checkpoint',
          async () => {
            for await (const info of env.client.workflow.list({ query })) return info;
            return undefined;
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        assert.equal(listed.workflowId, workflowId);
        assert.equal(listed.status.name, 'RUNNING');
        assert.equal(listed.typedSearchAttributes.get(searchAttributes.phase), phases.reviewing);
        const runId = listed.typedSearchAttributes.get(searchAttributes.runId);
        assert.ok(runId !== undefined, 'AihubRunId is set');

        const atCheckpoint = (await env.admin.runs()).find((r) => r.id === runId);
        assert.equal(atCheckpoint?.status, 'STOPPED_AT_CHECKPOINT');
        // Nothing is fetched while the run waits for its reviewer.
        assert.equal((await env.admin.calls()).counts.getRunResults, 0);

        await env.admin.completeReview(runId);
        return within(30_000, 'the pipeline completing after the review', handle.result());
      });

      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.workflowId, workflowId);
      assert.equal(result.files, 3);
      assert.equal(result.documents, 3);
      const runs = await env.admin.runs();
      assert.deepEqual(
        runs.map((r) => r.id),
        [result.runId],
      );
      assert.equal(runs[0]?.status, 'COMPLETE');
    });
  });
});
