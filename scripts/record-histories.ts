/**
 * Records one history of each pipeline kind into test/fixtures/histories/, for the replay test
 * (`test/replay/`) to replay against later code: `npm run record:histories`. Re-record only on
 * purpose: an old history that no longer replays means running pipelines would break.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { quickWait, sampleInvoices, seedBatch, writeLocalFiles } from '../test/helpers/aihub-fixtures';
import { startPipelineEnv } from '../test/helpers/pipeline-env';
import { pollUntil } from '../test/helpers/waiting';

async function main(): Promise<void> {
  const env = await startPipelineEnv();
  const out = join(__dirname, '..', 'test', 'fixtures', 'histories');
  const save = async (name: string, handle: WorkflowHandle): Promise<void> => {
    await handle.result().catch(() => undefined);
    const history = await handle.fetchHistory();
    // protobufjs messages serialise themselves as proto3 JSON, the format replay reads.
    await writeFile(join(out, `${name}.json`), JSON.stringify(history) + '\n');
    console.log(`recorded ${name}`);
  };
  try {
    await env.withWorker(async () => {
      const files = sampleInvoices(3);
      const batchId = await seedBatch(env.emulator, files);
      await save(
        'app-name-batch',
        await env.start({ workflowId: 'replay-batch', appName: 'invoices', batchId, wait: quickWait }),
      );
      const paths = await writeLocalFiles(files);
      await save(
        'files-upload-cleanup',
        await env.start({
          workflowId: 'replay-files',
          appName: 'invoices',
          files: paths,
          cleanup: 'all',
          wait: quickWait,
        }),
      );
      await save(
        'app-remote-failed',
        await env.start({
          workflowId: 'replay-failed',
          appName: 'invoices-failing',
          batchId,
          wait: quickWait,
        }),
      );
      const review = await env.start({
        workflowId: 'replay-review',
        deploymentId: 'dep-invoices-review',
        batchId,
        wait: quickWait,
      });
      const inReview = await pollUntil('the run to stop at the review checkpoint', async () =>
        (await env.admin.runs()).find((r) => r.status === 'STOPPED_AT_CHECKPOINT'),
      );
      await env.admin.completeReview(inReview.id);
      await save('deployment-review', review);
      const cancelled = await env.start({
        workflowId: 'replay-cancel-delete',
        appName: 'invoices',
        batchId,
        onCancel: 'delete',
        wait: { initialIntervalSeconds: 30 },
      });
      await pollUntil('the run to be started', async () =>
        (await env.admin.runs()).find(
          (r) => r.tags.some((t) => t.startsWith('hubrun:')) && r.status === 'RUNNING',
        ),
      );
      await cancelled.cancel();
      await save('cancel-delete', cancelled);
    });
  } finally {
    await env.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
