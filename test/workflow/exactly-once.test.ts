import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointName } from '../../src/aihub/endpoints';
import { exactlyOnceTag } from '../../src/pipeline-names';
import {
  emulatorClient,
  quickWait,
  sampleInvoices,
  seedBatch,
  writeLocalFiles,
} from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

describe('a lost answer to the start call does not start a second run', () => {
  const temporal = useTemporal();

  async function startWithLostAnswer(
    endpoint: Extract<EndpointName, 'runApp' | 'runDeployment'>,
    input: Record<string, unknown>,
  ): Promise<void> {
    // AI Hub creates the run, then the connection drops before the answer arrives: the start activity fails.
    const faults = [{ endpoint, kind: 'lose-response' as const, times: 1 }];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const { result, executionRunId } = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('exactly-once'),
          batchId,
          wait: quickWait,
          ...input,
        });
        const result = await within(60_000, 'the pipeline completing', handle.result());
        return { result, executionRunId: (await handle.describe()).runId };
      });

      const calls = await env.admin.calls();
      const starts = calls.log.filter((c) => c.endpoint === endpoint);
      assert.equal(starts.length, 1, `${endpoint} was POSTed ${starts.length} times`);
      assert.equal(starts[0]?.fault, 'lose-response', 'the one POST is the one whose answer was lost');
      assert.ok(calls.counts.listRuns >= 1, 'the retried start looked for the tagged run');

      const runs = await env.admin.runs();
      assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs`);
      assert.equal(result.runId, runs[0]?.id, 'the pipeline adopted the run the lost POST created');
      assert.ok(runs[0]?.tags.includes(exactlyOnceTag(executionRunId)));
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);
    });
  }

  it('an app run is adopted through list runs instead of being POSTed again', async () => {
    await startWithLostAnswer('runApp', { appName: 'invoices' });
  });

  it('a deployment run is adopted through list runs instead of being POSTed again', async () => {
    await startWithLostAnswer('runDeployment', { deploymentId: 'dep-invoices' });
  });

  it('a lost answer to create batch is adopted by name: the files land in one batch', async () => {
    const faults = [{ endpoint: 'createBatch' as const, kind: 'lose-response' as const, times: 1 }];
    await withPipelineEnv(temporal(), { faults }, async (env) => {
      const paths = await writeLocalFiles(sampleInvoices(2));
      const result = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('one-batch'),
          appName: 'invoices',
          files: paths,
          wait: quickWait,
        });
        return within(60_000, 'the pipeline completing', handle.result());
      });
      const { counts } = await env.admin.calls();
      assert.equal(counts.createBatch, 1, 'the batch was created once');
      assert.ok(counts.listBatches >= 1, 'the retried upload looked for the batch by name');
      const batches = await emulatorClient(env.emulator).listBatches();
      assert.deepEqual(
        batches.map((b) => b.id),
        [result.batchId],
        'the pipeline ran on the one batch the lost call created',
      );
      assert.equal(result.files, 2);
    });
  });
});
