import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRule } from '../../src/emulator';
import { failureTypes } from '../../src/failure-types';
import { searchAttributes } from '../../src/search-attributes';
import { getProgress } from '../../src/client';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { failureTypeOf } from '../helpers/failures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

/** AI Hub answers `QUEUED`, a status it does not document, to each run's first `checks` reads. */
const queued = (checks: number): FaultRule[] => [
  { kind: 'unknown-status', endpoint: '*', runStatus: 'QUEUED', checks },
];

describe('a run status hubrun does not know counts as still in progress', () => {
  const temporal = useTemporal();

  it('is shown in progress and AihubRunStatus while it lasts, and the pipeline completes after it', async () => {
    await withPipelineEnv(temporal(), { faults: queued(6) }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(2));
      const result = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('unknown-status'),
          appName: 'invoices',
          batchId,
          wait: { ...quickWait, initialIntervalSeconds: 0.2, maxIntervalSeconds: 0.2 },
        });
        const progress = await pollUntil('progress to show QUEUED', async () => {
          const p = await getProgress(handle);
          return p.remoteStatus === 'QUEUED' ? p : undefined;
        });
        assert.equal(progress.phase, 'WAITING');
        const described = await pollUntil('AihubRunStatus to say QUEUED', async () => {
          const d = await handle.describe();
          return d.typedSearchAttributes.get(searchAttributes.runStatus) === 'QUEUED' ? d : undefined;
        });
        assert.equal(described.status.name, 'RUNNING');
        return within(60_000, 'the pipeline to complete', handle.result());
      });
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);
    });
  });

  it('an unknown status that never ends is bounded by the processing deadline', async () => {
    await withPipelineEnv(temporal(), { faults: queued(1_000_000) }, async (env) => {
      const batchId = await seedBatch(env.emulator, sampleInvoices(1));
      const outcome = await env.withWorker(async () => {
        const handle = await env.start({
          workflowId: uniqueId('unknown-forever'),
          appName: 'invoices',
          batchId,
          wait: { ...quickWait, runDeadlineSeconds: 3 },
        });
        return within(
          60_000,
          'the pipeline to end',
          handle.result().catch((err: unknown) => err),
        );
      });
      assert.equal(failureTypeOf(outcome), failureTypes.deadlineExceeded);
    });
  });
});
