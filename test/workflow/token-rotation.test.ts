/**
 * A rotated token file does not fail waiting pipelines: the worker re-reads `AIHUB_API_TOKEN_FILE`
 * when the file changes, and once more after a 401, retrying that one request with the new token.
 * The emulator's accepted tokens are switched at run time while the pipeline waits in review.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AihubClient } from '../../src/aihub';
import type { PipelineHandle } from '../../src/client';
import { sampleInvoices, quickWait } from '../helpers/aihub-fixtures';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { uniqueId } from '../helpers/pipeline-env';
import { assertNoSecret, historyText } from '../helpers/secret-scan';
import { pollUntil, within } from '../helpers/waiting';
import { useTemporal, withPipelineEnv } from './support';

const secretToken = (): string => `aihub_sk_live_${randomBytes(24).toString('base64url')}`;

async function tokenFile(token: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'hubrun-rotation-')), 'aihub-api-token');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return path;
}

/** A batch of two invoices, put there with `token`. */
async function seed(env: PipelineEnv, token: string): Promise<number> {
  const client = new AihubClient({ apiRoot: env.emulator.url, token });
  const { id } = await client.createBatch({ name: uniqueId('rotation') });
  for (const [name, text] of Object.entries(sampleInvoices(2))) {
    await client.putBatchFile(id, name, Buffer.from(text), Buffer.byteLength(text));
  }
  return id;
}

/** The AI Hub run id once the pipeline's run waits at its review checkpoint. */
function atCheckpoint(env: PipelineEnv): Promise<string> {
  return pollUntil(
    'the run to stop at its review checkpoint',
    async () => (await env.admin.runs()).find((r) => r.status === 'STOPPED_AT_CHECKPOINT')?.id,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** Runs a review pipeline with the worker reading `path`; `rotate` runs while it waits in review. */
async function waitThroughRotation(
  env: PipelineEnv,
  first: string,
  path: string,
  rotate: () => Promise<void>,
): Promise<PipelineHandle> {
  const batchId = await seed(env, first);
  const aihub = {
    apiRoot: env.emulator.url,
    token: first,
    tokenFile: path,
    ibContext: undefined,
    requestTimeoutMs: 10_000,
  };
  return env.withWorker(
    async () => {
      const handle = await env.start({
        workflowId: uniqueId('rotation'),
        appName: 'invoices-review',
        batchId,
        wait: quickWait,
      });
      const runId = await atCheckpoint(env);
      await rotate();
      // The pipeline keeps checking (every ~0.2 s in review) with the rotated token.
      const before = (await env.admin.calls()).counts.getRun;
      await pollUntil('three status checks after the rotation', async () =>
        (await env.admin.calls()).counts.getRun >= before + 3 ? true : undefined,
      );
      await env.admin.completeReview(runId);
      const result = await within(30_000, 'the pipeline completing', handle.result());
      assert.equal(result.status, 'COMPLETED');
      assert.equal(result.files, 2);
      return handle;
    },
    { aihub },
  );
}

describe('a rotated token file does not fail a waiting pipeline', () => {
  const temporal = useTemporal();

  it('a file rewritten during an overlap is used from the next call on', async () => {
    const [first, second] = [secretToken(), secretToken()];
    await withPipelineEnv(temporal(), { tokens: [first] }, async (env) => {
      const path = await tokenFile(first);
      const handle = await waitThroughRotation(env, first, path, async () => {
        await env.admin.setTokens([first, second]);
        await writeFile(path, `${second}\n`);
        await env.admin.setTokens([second]);
      });
      assertNoSecret(await historyText(handle), 'the history', [first, second]);
    });
  });

  it('a 401 re-reads the file once and retries that request with the new token', async () => {
    const [first, second] = [secretToken(), secretToken()];
    await withPipelineEnv(temporal(), { tokens: [first] }, async (env) => {
      const path = await tokenFile(first);
      // Whole seconds, which utimes restores exactly: the rewrite below leaves no trace in the times.
      const stamp = Math.floor(Date.now() / 1000) - 60;
      await utimes(path, stamp, stamp);
      const handle = await waitThroughRotation(env, first, path, async () => {
        // Rewritten in place with its old times, so only a 401 makes the worker read it again.
        await writeFile(path, `${second}\n`);
        await utimes(path, stamp, stamp);
        assert.equal((await stat(path)).mtimeMs, stamp * 1000);
        await env.admin.setTokens([second]);
      });
      const { log } = await env.admin.calls();
      const statuses = log.filter((c) => c.endpoint === 'getRun').map((c) => c.status);
      const refused = statuses.indexOf(401);
      assert.ok(refused >= 0, 'a status check met the 401 of the old token');
      assert.equal(statuses[refused + 1], 200, 'and was retried at once with the new one');
      assert.equal(statuses.filter((s) => s === 401).length, 1, 'one 401, not one per check');
      assertNoSecret(await historyText(handle), 'the history', [first, second]);
    });
  });
});
