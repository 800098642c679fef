import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Worker } from '@temporalio/worker';
import type { AuditReport, AuditRow } from '../../src/audit';
import type { RunSummary } from '../../src/cli/run-command';
import { getProgress } from '../../src/client';
import { applySchedules, parseScheduleFile } from '../../src/schedules';
import { searchAttributes } from '../../src/search-attributes';
import { emulatorClient, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli } from '../helpers/cli';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';

/** An app whose runs take an hour: its pipeline stays open through the test. */
const slowApp = { id: 'app-slow-audit', name: 'slow-audit', fields: ['total'], msPerFile: 3_600_000 };

describe('hubrun audit', () => {
  let env: PipelineEnv;
  let worker: Worker;
  let workerDone: Promise<void>;
  let cliEnv: Record<string, string>;
  const runs = { delivered: '', adopted: '', owned: '', orphan: '', oldOrphan: '' };
  let ownedId = '';

  before(async () => {
    env = await startPipelineEnv();
    worker = await env.createWorker();
    workerDone = worker.run();
    cliEnv = { TEMPORAL_ADDRESS: env.temporal.address, HUBRUN_TASK_QUEUE: env.taskQueue };
    const aihub = emulatorClient(env.emulator);

    // Delivered: a pipeline that completed (new tag format, found by its workflow id).
    const batch = await seedBatch(env.emulator, sampleInvoices(1));
    const delivered = await runCli(
      [
        'run',
        '--app',
        'invoices',
        '--batch-id',
        String(batch),
        '--id',
        uniqueId('audit-done'),
        '--wait',
        '--json',
      ],
      cliEnv,
    );
    assert.equal(delivered.code, 0, delivered.stderr);
    runs.delivered = (JSON.parse(delivered.stdout) as RunSummary).runId ?? '';

    // Delivered with the old tag format only: found through the pipeline's AihubRunId.
    const oldTagged = await aihub.runApp({
      app_name: 'invoices',
      batch_id: await seedBatch(env.emulator, sampleInvoices(1)),
      settings: { tags: ['hubrun:old-format-adopted'] },
    });
    const adopted = await runCli(
      ['run', '--adopt-run', oldTagged.id, '--id', uniqueId('audit-adopt'), '--wait', '--json'],
      cliEnv,
    );
    assert.equal(adopted.code, 0, adopted.stderr);
    runs.adopted = oldTagged.id;
    await pollUntil('the adopting pipeline in visibility', async () => {
      for await (const _ of env.client.workflow.list({
        query: `${searchAttributes.runId.name} = '${oldTagged.id}' AND ExecutionStatus = 'Completed'`,
      })) {
        return true;
      }
      return undefined;
    });

    // Owned: a pipeline waiting for an hour-long run.
    await env.admin.putApp(slowApp);
    ownedId = uniqueId('audit-open');
    const handle = await env.start({
      appName: slowApp.name,
      batchId: await seedBatch(env.emulator, sampleInvoices(1)),
      workflowId: ownedId,
    });
    runs.owned = await pollUntil('the open pipeline started its run', async () => {
      const progress = await getProgress(handle);
      return progress.runId ?? undefined;
    });

    // Orphans: runs started directly at AI Hub with hubrun's tags and no pipeline behind them.
    const orphan = await aihub.runApp({
      app_name: 'invoices',
      batch_id: await seedBatch(env.emulator, sampleInvoices(1)),
      settings: { tags: ['hubrun:no-such-execution', 'hubrun-wf:no-such-pipeline'] },
    });
    runs.orphan = orphan.id;
    const oldOrphan = await aihub.runApp({
      app_name: 'invoices',
      batch_id: await seedBatch(env.emulator, sampleInvoices(1)),
      settings: { tags: ['nightly', 'hubrun:old-format-orphan'] },
    });
    runs.oldOrphan = oldOrphan.id;
    // Not hubrun's: never audited, never deleted.
    await aihub.runApp({ app_name: 'invoices', batch_id: await seedBatch(env.emulator, sampleInvoices(1)) });
  });
  after(async () => {
    await env.client.workflow
      .getHandle(ownedId)
      .cancel()
      .catch(() => undefined);
    worker.shutdown();
    await workerDone;
    await env.close();
  });

  async function audit(args: string[]): Promise<AuditReport> {
    const { code, stdout, stderr } = await runCli(['audit', '--recent', '0m', '--json', ...args], cliEnv);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout.trim()) as AuditReport;
  }

  const verdicts = (report: AuditReport): Record<string, string> =>
    Object.fromEntries(report.rows.map((r: AuditRow) => [r.runId, r.verdict]));

  it('sorts tagged runs into owned, delivered and orphaned, old tags included', async () => {
    const report = await audit([]);
    assert.deepEqual(verdicts(report), {
      [runs.delivered]: 'delivered',
      [runs.adopted]: 'delivered',
      [runs.owned]: 'owned',
      [runs.orphan]: 'orphaned',
      [runs.oldOrphan]: 'orphaned',
    });
    assert.deepEqual(report.counts, { owned: 1, delivered: 2, orphaned: 2, recent: 0 });
    assert.equal(report.untagged, 1);
    assert.equal(report.deleted, 0);
    const owned = report.rows.find((r) => r.runId === runs.owned);
    assert.equal(owned?.workflowId, ownedId);
    assert.equal((await env.admin.runs()).length, 6, 'the audit alone deletes nothing');
  });

  it('a kind: audit schedule runs the audit on the worker, over its window', async () => {
    const file = parseScheduleFile(
      `set: audit-test
schedules:
  - id: ${uniqueId('audit-nightly')}
    kind: audit
    cron: '30 5 * * *'
    timeZone: UTC
    since: 1d`,
      'audit.yaml',
    );
    await applySchedules(env.client, file, { taskQueue: env.taskQueue });
    const schedule = env.client.schedule.getHandle(file.schedules[0]?.id ?? '');
    try {
      await schedule.trigger();
      const workflowId = await pollUntil('the scheduled audit started', async () => {
        const [action] = (await schedule.describe()).info.recentActions;
        return action?.action.workflow.workflowId;
      });
      const report = await env.client.workflow.getHandle<() => Promise<AuditReport>>(workflowId).result();
      assert.equal(report.counts.owned, 1);
      assert.equal(report.counts.delivered, 2);
      // The orphans are seconds old: the schedule's audit keeps the default 5-minute "recent" margin.
      assert.equal(report.counts.orphaned + report.counts.recent, 2);
      assert.equal(report.deleted, 0);
    } finally {
      await schedule.delete();
    }
  });

  it('refuses --delete without a terminal or --yes, deleting nothing', async () => {
    const { code, stderr } = await runCli(['audit', '--recent', '0m', '--delete'], cliEnv);
    assert.equal(code, 2);
    assert.match(stderr, /--yes/);
    assert.equal((await env.admin.runs()).length, 6);
  });

  it('--delete --yes deletes the orphans only', async () => {
    const report = await audit(['--delete', '--yes']);
    assert.equal(report.deleted, 2);
    const deleted = report.rows.filter((r) => r.deleted === true).map((r) => r.runId);
    assert.deepEqual(deleted.sort(), [runs.orphan, runs.oldOrphan].sort());
    const left = (await env.admin.runs()).map((r) => r.id);
    assert.equal(left.length, 4);
    for (const id of [runs.delivered, runs.adopted, runs.owned]) assert.ok(left.includes(id), id);
    for (const id of [runs.orphan, runs.oldOrphan]) assert.ok(!left.includes(id), id);
  });
});
