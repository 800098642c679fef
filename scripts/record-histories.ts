/**
 * Records one history of each pipeline kind into test/fixtures/histories/, for the replay test
 * (`test/replay/`) to replay against later code: `npm run record:histories`, or
 * `npm run record:histories -- NAME...` for some of them (new kinds). Re-record only on purpose:
 * an old history that no longer replays means running pipelines would break. When a change is
 * guarded by `patched`, first move the current histories into a subfolder named for the change:
 * the replay test keeps replaying them against the unpatched branch.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startFanOut } from '../src/client';
import { nominalDate } from '../src/nominal-date';
import {
  emulatorClient,
  quickWait,
  sampleInvoices,
  seedBatch,
  writeLocalFiles,
} from '../test/helpers/aihub-fixtures';
import { startPipelineEnv } from '../test/helpers/pipeline-env';
import { pollUntil } from '../test/helpers/waiting';

async function main(): Promise<void> {
  const env = await startPipelineEnv();
  const out = join(__dirname, '..', 'test', 'fixtures', 'histories');
  const only = process.argv.slice(2);
  const save = async (name: string, handle: WorkflowHandle): Promise<void> => {
    await handle.result().catch(() => undefined);
    if (only.length > 0 && !only.includes(name)) return;
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
      const today = nominalDate(new Date(), 'Pacific/Kiritimati');
      await env.admin.putDriveFile(`acme/Claims/fs/Instabase Drive/inbox/${today}/a.txt`, 'Total: 1');
      await save(
        'dated-input-dir',
        await env.start({
          workflowId: 'replay-dated',
          appName: 'invoices',
          inputDir: 'acme/Claims/fs/Instabase Drive/inbox/{date}',
          dateTimeZone: 'Pacific/Kiritimati',
          wait: quickWait,
        }),
      );
      // A learned plan: the app's history in AI Hub decides when the run is checked.
      await env.admin.putApp({
        id: 'app-learned',
        name: 'learned',
        fields: ['total'],
        durations: { medianMs: 1500, cv: 0 },
      });
      await env.admin.seedHistory('app-learned', {
        durationsMs: Array.from({ length: 8 }, (_, i) => 1400 + 25 * i),
      });
      await save(
        'learned-plan',
        await env.start({ workflowId: 'replay-learned', appName: 'learned', batchId }),
      );
      // Two review checkpoints with processing between them.
      await env.admin.putApp({
        id: 'app-two-reviews',
        name: 'two-reviews',
        fields: ['total'],
        msPerFile: 100,
        review: { autoCompleteMs: 1500, afterReviewMs: 1500, checkpoints: 2 },
      });
      await save(
        'two-checkpoints',
        await env.start({
          workflowId: 'replay-two-reviews',
          appName: 'two-reviews',
          batchId,
          wait: quickWait,
        }),
      );
      // A run started elsewhere, adopted and delivered.
      const elsewhere = await emulatorClient(env.emulator).runApp({
        app_name: 'invoices',
        batch_id: batchId,
      });
      await save(
        'adopt-run',
        await env.start({ workflowId: 'replay-adopt', adoptRunId: elsewhere.id, wait: quickWait }),
      );
      const fanOut = await startFanOut(
        env.client,
        {
          workflowId: 'fan-out', // the file name: replay runs it under that id, and children's ids derive from it
          template: { appName: 'invoices', wait: quickWait },
          inputs: [{ batchId }, { batchId: 987_654 }, { batchId }],
          concurrency: 2,
          childrenPerRun: 2,
        },
        { taskQueue: env.taskQueue },
      );
      await fanOut.result();
      // The first run: two children, one failing, then continue-as-new.
      await save('fan-out', env.client.workflow.getHandle('fan-out', fanOut.firstExecutionRunId));
    });
  } finally {
    await env.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
