import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppBehaviour } from '../../src/emulator';
import { HOOK_PATH, HOOK_SECRET_HEADER, startHookServer } from '../../src/hook';
import type { HookServer } from '../../src/hook';
import { sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

const SECRET = 'hook-secret-for-tests-0123456789';

/** Far under the minutes the pipeline's own checks wait: only the hook can finish it this soon. */
const COMPLETES_WITHIN_MS = 20_000;

async function withHook<T>(env: PipelineEnv, fn: (hook: HookServer) => Promise<T>): Promise<T> {
  const hook = await startHookServer({ client: env.client, secret: SECRET, lookup: { spacingMs: 200 } });
  try {
    return await fn(hook);
  } finally {
    await hook.close();
  }
}

function notify(hook: HookServer, body: unknown, secret = SECRET): Promise<Response> {
  return fetch(`${hook.url}${HOOK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HOOK_SECRET_HEADER]: secret },
    body: JSON.stringify(body),
  });
}

describe('the run-finished hook signals the pipeline of a finished run', () => {
  const temporal = useTemporal();

  it("AI Hub's notification finishes a learned wait whose own checks are ten minutes away", async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withHook(env, async (hook) => {
        const app: AppBehaviour = {
          id: 'app-notified',
          name: 'notified',
          fields: ['total'],
          durations: { medianMs: 3000, cv: 0 },
          webhook: { url: `${hook.url}${HOOK_PATH}`, headers: { [HOOK_SECRET_HEADER]: SECRET } },
        };
        await env.admin.putApp(app);
        // The past runs took ten minutes: the plan's safety check comes after all of them.
        const past = Array.from({ length: 20 }, (_, i) => 570_000 + i * 3000);
        await env.admin.seedHistory(app.id, { durationsMs: past });
        const batchId = await seedBatch(env.emulator, sampleInvoices(1));
        const handle = await env.start({
          workflowId: uniqueId('hooked'),
          appId: app.id,
          batchId,
          wait: { hook: true },
        });
        const result = await env.withWorker(() =>
          within(COMPLETES_WITHIN_MS, 'the pipeline completing after the notification', handle.result()),
        );
        assert.equal(result.status, 'COMPLETED');
        const progress = await env.withWorker(() => handle.query<{ plan?: string | null }>('progress'));
        assert.match(progress.plan ?? '', /^learned from 20 run\(s\).*hook expected/);
        const { counts } = await env.admin.calls();
        assert.ok((counts.getRun ?? 0) <= 2, `${counts.getRun} status calls besides the lookup`);
        const events = (await handle.fetchHistory()).events?.length ?? 0;
        assert.ok(events <= 40, `${events} history events`);
      });
    });
  });

  it('a bad secret or an unknown run changes nothing; a plain {run_id} with the secret finishes the wait', async () => {
    await withPipelineEnv(temporal(), {}, async (env) => {
      await withHook(env, async (hook) => {
        const app: AppBehaviour = { id: 'app-quiet', name: 'quiet', fields: ['total'], msPerFile: 500 };
        await env.admin.putApp(app);
        const batchId = await seedBatch(env.emulator, sampleInvoices(1));
        const handle = await env.start({
          workflowId: uniqueId('unhooked'),
          appId: app.id,
          batchId,
          wait: { plan: 'fixed', initialIntervalSeconds: 300, maxIntervalSeconds: 300 },
        });
        await env.withWorker(async () => {
          const runId = await pollUntil('the run to start and be checked once', async () => {
            const run = (await env.admin.runs()).find((r) => r.appId === app.id);
            return run !== undefined && run.checks >= 1 && run.status === 'COMPLETE' ? run.id : undefined;
          });
          // The run is finished; the pipeline's next own check is five minutes away.
          const bad = await notify(hook, { run_id: runId }, 'not-the-secret-at-all-0000');
          assert.equal(bad.status, 401);
          const none = await fetch(`${hook.url}${HOOK_PATH}`, {
            method: 'POST',
            body: JSON.stringify({ run_id: runId }),
          });
          assert.equal(none.status, 401);
          const unknown = await notify(hook, {
            status: 'COMPLETE',
            msg: '',
            job_id: 'run-unknown',
            input_dir: '',
            output: '',
          });
          assert.equal(unknown.status, 404);
          assert.equal((await notify(hook, { status: 'COMPLETE' })).status, 400);
          assert.equal(
            (await env.admin.calls()).counts.getRun,
            1,
            'no notification above made a status check',
          );
          assert.equal((await handle.describe()).status.name, 'RUNNING');

          const good = await notify(hook, { run_id: runId });
          assert.equal(good.status, 202);
          assert.equal(((await good.json()) as { workflowId: string }).workflowId, handle.workflowId);
          const result = await within(
            COMPLETES_WITHIN_MS,
            'the pipeline completing after the hook',
            handle.result(),
          );
          assert.equal(result.status, 'COMPLETED');
        });
        assert.equal((await env.admin.calls()).counts.getRun, 2, 'the hook made one status check');
      });
    });
  });
});
