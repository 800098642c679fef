import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator';
import type { FaultRule } from '../../src/emulator';
import { sha256File } from '../../src/activities/results-sink';
import { quickWait, sampleInvoices, seedBatch } from '../helpers/aihub-fixtures';
import { uniqueId } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';
import { deploymentPerPipeline, resultOf, runsTagged, tagOf, useFaultStack } from './support';

const PIPELINES = 50;
/** The worker's request timeout: shorter than a slow create, so the POST's outcome is unknown. */
const REQUEST_TIMEOUT_MS = 1_500;
/** The start's settle window: longer than a slow create plus the list's lag. */
const SETTLE_SECONDS = 10;

/** Results pages carry keys no schema names, at every depth: the reference run's pages too. */
const unknownKeys: FaultRule = { kind: 'results-shape', endpoint: 'getRunResults', shape: 'unknown-keys' };

/**
 * An AI Hub unkind in every way hubrun's promises depend on: a third of the starts create
 * their run only after the client gave up, a fifth lose their answer, the list lags behind every
 * create by longer than the start's retry interval, every run first reports a status nobody
 * documented, and results pages come without has_more, with keys as a list, or empty while
 * claiming more.
 */
const hostile: FaultRule[] = [
  { kind: 'slow-create', endpoint: 'runDeployment', latencyMs: 3_000, rate: 0.3 },
  { kind: 'lose-response', endpoint: 'runDeployment', rate: 0.2 },
  { kind: 'list-lag', endpoint: 'listRuns', latencyMs: 2_500 },
  { kind: 'unknown-status', endpoint: '*', runStatus: 'QUEUED', checks: 2 },
  unknownKeys,
  { kind: 'results-shape', endpoint: 'getRunResults', shape: 'omit-has-more', rate: 0.3 },
  { kind: 'results-shape', endpoint: 'getRunResults', shape: 'keys-as-list', rate: 0.3 },
  { kind: 'results-shape', endpoint: 'getRunResults', shape: 'empty-has-more', rate: 0.1 },
];

describe('a hostile AI Hub: 50 pipelines through slow creates, a lagging list, unknown statuses and odd pages, and a worker SIGKILL', () => {
  const stack = useFaultStack({
    emulator: () => startEmulator({ pageSize: 2 }),
    workerEnv: {
      AIHUB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HUBRUN_START_SETTLE_SECONDS: String(SETTLE_SECONDS),
    },
  });

  it('every pipeline completes with one run and the reference results, each in a folder of its own', async (t) => {
    const { emulator, rig } = stack;
    const { admin } = rig;
    const batchId = await seedBatch(emulator, sampleInvoices(5)); // three results pages each
    await admin.setFaults([unknownKeys]);
    const reference = await rig.run({
      workflowId: uniqueId('reference'),
      deploymentId: 'dep-invoices',
      batchId,
      wait: quickWait,
    });
    const deployments = await deploymentPerPipeline(admin, 'dep-hostile', PIPELINES);

    await admin.resetCalls();
    await admin.setFaults(hostile);
    const handles = await Promise.all(
      deployments.map((deploymentId) =>
        rig.start({ workflowId: uniqueId(deploymentId), deploymentId, batchId, wait: quickWait }),
      ),
    );
    // The worker dies while starts settle, runs are waited on and pages are fetched.
    await pollUntil(
      'a third of the runs to exist',
      async () => ((await admin.runs()).length > PIPELINES / 3 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    await rig.killWorker();
    await rig.restartWorker();
    const results = await Promise.all(handles.map((handle) => resultOf(handle, 600_000)));
    const { fired } = (await (await fetch(`${emulator.adminUrl}/faults`)).json()) as { fired: number[] };
    await admin.setFaults([]);
    for (const result of results) {
      assert.equal(result.status, 'COMPLETED');
      assert.equal(await sha256File(result.resultsPath), reference.resultsSha256, result.workflowId);
    }
    for (const [i, handle] of handles.entries()) {
      const runs = await runsTagged(admin, await tagOf(handle));
      assert.equal(runs.length, 1, `${deployments[i]}: AI Hub holds ${runs.length} runs of the pipeline`);
      assert.equal(runs[0]?.id, results[i]?.runId);
    }
    assert.equal((await admin.stats()).runsTotal, PIPELINES + 1, 'no run besides these and the reference');

    // One execution folder per pipeline, holding its own results and manifest.
    for (const result of results) {
      const executions = await readdir(join(rig.outputDir, result.workflowId));
      assert.equal(executions.length, 1, `${result.workflowId} has one results folder`);
      assert.equal(
        join(rig.outputDir, result.workflowId, executions[0]!, 'results.jsonl'),
        result.resultsPath,
      );
    }
    const summary = hostile.map((rule, i) => `${rule.kind} ${rule.shape ?? ''} ${fired[i] ?? 0}`);
    t.diagnostic(`faults fired: ${summary.join(', ')}`);
    hostile.forEach((rule, i) => assert.ok((fired[i] ?? 0) > 0, `${rule.kind} ${rule.shape ?? ''} fired`));
  });
});
