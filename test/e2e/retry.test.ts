import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunSummary } from '../../src/cli/run-command';
import type { FaultRule } from '../../src/emulator';
import type { FanOutResult } from '../../src/results';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { runCli, useCliStack } from '../helpers/cli';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';

describe('hubrun retry', () => {
  const stack = useCliStack({ startSettleMs: 1_000 });

  /** Runs `hubrun <args> --wait --json` and returns the one JSON object it printed. */
  async function json<T>(args: string[], expectedCode = 0): Promise<T> {
    const { code, stdout, stderr } = await runCli([...args, '--wait', '--json'], stack.cliEnv);
    assert.equal(code, expectedCode, stderr);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, `exactly one line on stdout, got: ${stdout}`);
    return JSON.parse(lines[0] ?? '') as T;
  }

  it('a pipeline stopped by a 503 storm after AI Hub accepted its run is retried without a second run', async () => {
    const batchId = await seedBatch(stack.env.emulator, sampleInvoices(2));
    // The POST creates the run and its answer is lost; from then on AI Hub answers 503 to every
    // start and every list, so the pipeline can neither find its run nor start one.
    const storm: FaultRule[] = [
      { endpoint: 'runApp', kind: 'lose-response', times: 1 },
      { endpoint: 'runApp', kind: 'error', status: 503 },
      { endpoint: 'listRuns', kind: 'error', status: 503 },
    ] as FaultRule[];
    await stack.env.admin.setFaults(storm);
    const id = uniqueId('retry-storm');
    const handle = await stack.env.start({ workflowId: id, appName: 'invoices', batchId, wait: quickWait });
    const created = await pollUntil('the lost POST to create the run', async () => {
      const runs = (await stack.env.admin.runs()).filter((r) => r.batchId === batchId);
      const { counts } = await stack.env.admin.calls();
      return runs.length === 1 && (counts.listRuns ?? 0) >= 1 ? runs[0] : undefined;
    });
    // The operator gives up on it; the storm passes.
    await handle.terminate('503 storm');
    await stack.env.admin.setFaults([]);

    const summary = await json<RunSummary>(['retry', id]);
    assert.equal(summary.workflowId, `${id}-retry-1`);
    assert.equal(summary.status, 'COMPLETED');
    assert.equal(summary.runId, created.id, 'the retry took over the run the lost POST created');
    const runs = (await stack.env.admin.runs()).filter((r) => r.batchId === batchId);
    assert.equal(runs.length, 1, `AI Hub holds ${runs.length} runs of the batch`);
    const memo = (await stack.env.client.workflow.getHandle(`${id}-retry-1`).describe()).memo;
    assert.equal(memo?.retryOf, id);
  });

  it('retry --failed of a fan-out reruns exactly the failed children', async () => {
    const good = await seedBatch(stack.env.emulator, sampleInvoices(1));
    const id = uniqueId('retry-fanout');
    // Batch 999999 does not exist: those children fail as AihubNotFound.
    const inputs = [{ batchId: good }, { batchId: 999_999 }, { batchId: good }, { batchId: 999_998 }];
    const first = await stack.env.client.workflow.execute('aihubFanOut', {
      taskQueue: stack.env.taskQueue,
      workflowId: id,
      args: [{ workflowId: id, template: { appName: 'invoices', wait: quickWait }, inputs }],
    });
    assert.equal((first as FanOutResult).failed, 2);

    const result = await json<FanOutResult>(['retry', id, '--failed'], 1);
    assert.equal(result.workflowId, `${id}-retry-1`);
    assert.equal(result.total, 2, 'only the two failed children run again');
    const history = await stack.env.client.workflow.getHandle(`${id}-retry-1`).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(Buffer.from(started?.data ?? new Uint8Array()).toString()) as {
      inputs: unknown[];
    };
    assert.deepEqual(input.inputs, [{ batchId: 999_999 }, { batchId: 999_998 }]);
  });
});
