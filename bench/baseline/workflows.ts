/**
 * The baseline the benchmarks compare hubrun against: the obvious Temporal way to wait for an AI
 * Hub run, a workflow loop of "check the status in an activity, sleep a fixed interval on a
 * workflow timer, repeat" (what the AI Hub SDK examples do with `time.sleep(5)`, moved into a
 * workflow). It starts the run and fetches the results with hubrun's own activities and option
 * presets, so the two differ only in how they wait. Deterministic: bundled like any workflow.
 */
import { ApplicationFailure, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../src/activities';
import { checkPipelineInput } from '../../src/pipeline-input';
import { exactlyOnceTag } from '../../src/pipeline-names';
import type { PipelineInputDraft } from '../../src/pipeline-input';
import { remoteCall, startCall, transfer } from '../../src/workflows/activity-options';
import type { BaselineActivities } from './activities';

const { startRun } = proxyActivities<Activities>(startCall);
const { fetchResults } = proxyActivities<Activities>(transfer);
const { checkRunStatus } = proxyActivities<BaselineActivities>({
  ...remoteCall,
  startToCloseTimeout: '45 seconds',
});

/** Input of {@link timerLoopPipeline}: a hubrun pipeline input and the fixed polling interval. */
export interface TimerLoopInput {
  pipeline: PipelineInputDraft;
  pollIntervalMs: number;
}

/** What the baseline returns: the run, how many checks it made, and where the results went. */
export interface TimerLoopResult {
  runId: string;
  status: string;
  checks: number;
  resultsPath: string | null;
}

/** Starts the run, polls it every `pollIntervalMs` until it ends, then pages its results. */
export async function timerLoopPipeline({
  pipeline,
  pollIntervalMs,
}: TimerLoopInput): Promise<TimerLoopResult> {
  const checked = checkPipelineInput(pipeline);
  if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.problems.join('; '), 'BaselineBadInput');
  const input = checked.input;
  const info = workflowInfo();
  const run = await startRun({
    input,
    batchId: input.batchId ?? null,
    tag: exactlyOnceTag(info.firstExecutionRunId),
    notBeforeSeconds: Math.floor(info.startTime.getTime() / 1000) - 300,
  });
  let checks = 0;
  for (;;) {
    const { status } = await checkRunStatus({ runId: run.runId });
    checks++;
    if (status === 'COMPLETE' || status === 'FAILED' || status === 'CANCELLED') {
      if (status !== 'COMPLETE') return { runId: run.runId, status, checks, resultsPath: null };
      break;
    }
    await sleep(pollIntervalMs);
  }
  const results = await fetchResults({
    workflowId: info.workflowId,
    runId: run.runId,
    appId: run.appId,
    resultsDir: input.resultsDir ?? null,
  });
  return { runId: run.runId, status: 'COMPLETE', checks, resultsPath: results.resultsPath };
}
