/**
 * The run pipeline: one AI Hub run from input to delivered results, durable through any crash.
 * validate → upload local files (optional) → start exactly once → wait with backoff → review
 * wait → page results to the sink → cleanup (optional). Deterministic orchestration only: all
 * I/O happens in activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { Activities, RunTransition, StartedRun } from '../activities';
import type { RunStatus } from '../aihub/schemas';
import type { PipelineInput, PipelineInputDraft } from '../pipeline-input';
import { batchNameFor, exactlyOnceTag } from '../pipeline-names';
import { fillNominalDate, nominalInstant } from '../schedules/nominal-date';
import {
  CHECK_NOW_SIGNAL,
  failureTypes,
  initialProgress,
  phases,
  PROGRESS_QUERY,
  searchAttributes,
} from '../shared';
import type { Phase, PipelineProgress, PipelineResult } from '../shared';
import {
  inputCheck,
  remoteCall,
  startCall,
  transfer,
  uploadTransfer,
  waitForRunOptions,
} from './activity-options';
import { INPUT_CHECK_PATCH, legacyPipelineCheck } from './legacy-input-check';

/** Answers the pipeline's {@link PipelineProgress}. */
export const progressQuery = defineQuery<PipelineProgress>(PROGRESS_QUERY);
/** Cuts the current backoff short: the run is checked now. */
export const checkNowSignal = defineSignal(CHECK_NOW_SIGNAL);

const { checkPipelineStart } = proxyLocalActivities<Activities>(inputCheck);
const { startRun } = proxyActivities<Activities>(startCall);
const { findStartedRun, findUploadedBatch } = proxyActivities<Activities>(remoteCall);
const { uploadFiles } = proxyActivities<Activities>(uploadTransfer);
const { fetchResults, deleteRemote } = proxyActivities<Activities>(transfer);

/** Seconds subtracted from the workflow's start when looking for a run an earlier attempt started. */
const RECONCILE_MARGIN_SECONDS = 300;

/**
 * Runs one AI Hub app or deployment over one input and delivers its results to
 * `<results dir>/<workflow id>/`. Fails with a stable type from `failureTypes` (bad input,
 * auth, forbidden, not found, remote run failed or cancelled, partial results, deadline
 * exceeded, schema mismatch); on cancellation applies the input's `onCancel` policy.
 */
export async function aihubRunPipeline(raw: PipelineInputDraft): Promise<PipelineResult> {
  const info = workflowInfo();
  // Handlers first: the input check below is a local activity, and a query may come meanwhile.
  const progress = initialProgress(phases.validating, null);
  let checkNowRequests = 0;
  setHandler(progressQuery, () => progress);
  setHandler(checkNowSignal, () => {
    checkNowRequests++;
  });
  const dated = fillNominalDate(raw, nominalInstant(info));
  const checked = patched(INPUT_CHECK_PATCH)
    ? await checkPipelineStart({ input: dated.input, workflowId: info.workflowId })
    : legacyPipelineCheck(dated.input, info.workflowId);
  if (!checked.ok) {
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phases.failed }]);
    throw ApplicationFailure.create({
      type: failureTypes.badInput,
      message: `invalid pipeline input: ${checked.problems.join('; ')}`,
      nonRetryable: true,
    });
  }
  const input = checked.input;
  // `{date}` filled in: the memo shows the date and the paths the run really uses.
  if (dated.date !== null) upsertMemo({ datedInput: { date: dated.date, ...dated.filled } });
  progress.batchId = input.batchId ?? null;

  const enter = (phase: Phase): void => {
    progress.phase = phase;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
  };
  const app = input.appName ?? input.appId;
  upsertSearchAttributes([
    ...(input.deploymentId !== undefined
      ? [{ key: searchAttributes.deploymentId, value: input.deploymentId }]
      : []),
    ...(app !== undefined ? [{ key: searchAttributes.app, value: app }] : []),
    ...(input.batchId !== undefined ? [{ key: searchAttributes.batchId, value: String(input.batchId) }] : []),
  ]);

  const batch = {
    batchName: batchNameFor(info.workflowId, info.firstExecutionRunId),
    workspace: input.batchWorkspace ?? null,
  };
  let run: StartedRun | undefined;
  let startArgs: Parameters<Activities['startRun']>[0] | undefined;
  let uploadedBatchId: number | null = null;
  try {
    if (input.files !== undefined) {
      enter(phases.uploading);
      const uploaded = await uploadFiles({ files: input.files, ...batch });
      uploadedBatchId = uploaded.batchId;
      progress.batchId = uploaded.batchId;
      progress.filesUploaded = uploaded.files;
      upsertSearchAttributes([{ key: searchAttributes.batchId, value: String(uploaded.batchId) }]);
    }

    enter(phases.starting);
    startArgs = {
      input,
      batchId: progress.batchId,
      tag: exactlyOnceTag(info.firstExecutionRunId),
      notBeforeSeconds: Math.floor(info.startTime.getTime() / 1000) - RECONCILE_MARGIN_SECONDS,
    };
    run = await startRun(startArgs);
    progress.runId = run.runId;
    upsertMemo({ aihubRunUrl: run.runUrl });
    upsertSearchAttributes([
      { key: searchAttributes.runId, value: run.runId },
      ...(run.appId !== null && input.appName === undefined
        ? [{ key: searchAttributes.app, value: run.appId }]
        : []),
      ...(run.context !== null ? [{ key: searchAttributes.context, value: run.context }] : []),
    ]);
    const final = await waitUntilFinished(run, input, progress, () => checkNowRequests, enter);

    if (final.status === 'FAILED') {
      throw ApplicationFailure.create({
        type: failureTypes.remoteRunFailed,
        message: `AI Hub run ${run.runId} failed: ${final.msg ?? 'no message'}`,
        nonRetryable: true,
      });
    }
    if (final.status === 'CANCELLED') {
      throw ApplicationFailure.create({
        type: failureTypes.remoteRunCancelled,
        message: `AI Hub run ${run.runId} was cancelled in AI Hub${final.msg ? `: ${final.msg}` : ''}`,
        nonRetryable: true,
      });
    }

    enter(phases.fetchingResults);
    const results = await fetchResults({
      workflowId: info.workflowId,
      runId: run.runId,
      appId: run.appId,
      resultsDir: input.resultsDir ?? null,
    });
    progress.filesPaged = results.files;
    if (results.errorRatio > input.maxErrorRatio) {
      throw ApplicationFailure.create({
        type: failureTypes.partialResults,
        message:
          `AI Hub run ${run.runId} completed with ${results.fieldErrors} of ${results.fields} fields in ERROR ` +
          `(${(results.errorRatio * 100).toFixed(1)}% > ${(input.maxErrorRatio * 100).toFixed(1)}%); results are in ${results.resultsPath}`,
        nonRetryable: true,
        details: [{ resultsPath: results.resultsPath, errorRatio: results.errorRatio }],
      });
    }

    let cleanedUp = { run: false, batch: false };
    if (input.cleanup !== 'none') {
      enter(phases.cleaningUp);
      const batchToDelete = input.cleanup === 'batch' || input.cleanup === 'all' ? progress.batchId : null;
      cleanedUp = await deleteRemote({
        runId: input.cleanup === 'run' || input.cleanup === 'all' ? run.runId : null,
        deleteRunInput: false,
        batchId: batchToDelete,
      });
    }

    enter(phases.completed);
    return {
      workflowId: info.workflowId,
      runId: run.runId,
      status: 'COMPLETE',
      files: results.files,
      documents: results.documents,
      fields: results.fields,
      fieldErrors: results.fieldErrors,
      errorRatio: results.errorRatio,
      resultsPath: results.resultsPath,
      manifestPath: results.manifestPath,
      resultsSha256: results.resultsSha256,
      batchId: progress.batchId,
      cleanedUp,
    };
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        enter(phases.cancelled);
        // Cancelled while starting: the POST may have created the run before its answer arrived.
        if (run === undefined && startArgs !== undefined) {
          run = (await findStartedRun(startArgs)) ?? undefined;
          if (run !== undefined) upsertSearchAttributes([{ key: searchAttributes.runId, value: run.runId }]);
        }
        // Cancelled while uploading: the batch may exist without the workflow knowing its id.
        if (input.onCancel === 'delete' && input.files !== undefined && uploadedBatchId === null) {
          uploadedBatchId = await findUploadedBatch(batch);
        }
        if (input.onCancel === 'delete' && (run !== undefined || uploadedBatchId !== null)) {
          log.info('pipeline cancelled: deleting the AI Hub run data', { runId: run?.runId });
          await deleteRemote({ runId: run?.runId ?? null, deleteRunInput: false, batchId: uploadedBatchId });
        } else {
          log.info('pipeline cancelled: abandoning the AI Hub run (AI Hub cannot cancel runs)', {
            runId: run?.runId,
          });
        }
      });
    } else {
      enter(phases.failed);
      progress.lastError = err instanceof Error ? err.message : String(err);
    }
    throw err;
  }
}

/** Waits through processing and review until the run is COMPLETE, FAILED or CANCELLED. */
async function waitUntilFinished(
  run: StartedRun,
  input: PipelineInput,
  progress: PipelineProgress,
  checkNowCount: () => number,
  enter: (phase: Phase) => void,
): Promise<{ status: RunStatus; msg: string | null }> {
  let status: RunStatus = run.status;
  let msg: string | null = null;
  const { wait: policy } = input;
  const startedAt = Date.now(); // workflow time: deterministic
  let reviewStartedAt: number | null = null;
  progress.waitingSince = new Date(startedAt).toISOString();
  const showStatus = (): void => {
    progress.remoteStatus = status;
    upsertSearchAttributes([{ key: searchAttributes.runStatus, value: status }]);
  };
  showStatus();

  while (status !== 'COMPLETE' && status !== 'FAILED' && status !== 'CANCELLED') {
    const inReview = status === 'STOPPED_AT_CHECKPOINT';
    if (inReview) reviewStartedAt ??= Date.now();
    enter(inReview ? phases.reviewing : phases.waiting);
    const deadlineAt = inReview
      ? (reviewStartedAt ?? Date.now()) + policy.reviewDeadlineSeconds * 1000
      : startedAt + policy.runDeadlineSeconds * 1000;
    const stage = inReview ? 'review' : 'processing';
    const transition = await checkUntilChanged(
      { runId: run.runId, lastStatus: status, stage, policy },
      deadlineAt,
      checkNowCount,
      () =>
        deadlineFailure(
          run.runId,
          stage,
          inReview ? policy.reviewDeadlineSeconds : policy.runDeadlineSeconds,
        ),
    );
    if (transition === undefined) continue; // a checkNow signal: check again at once
    progress.checks += transition.checks;
    status = transition.status;
    msg = transition.msg;
    showStatus();
  }
  return { status, msg };
}

/**
 * Runs `waitForRun` until the run's status changes. Resolves undefined when a `checkNow` signal
 * cut the backoff short (the caller starts a fresh check), and fails as deadline exceeded when
 * the schedule-to-close timeout (the deadline) passes.
 */
async function checkUntilChanged(
  args: Parameters<Activities['waitForRun']>[0],
  deadlineAt: number,
  checkNowCount: () => number,
  onDeadline: () => ApplicationFailure,
): Promise<RunTransition | undefined> {
  const remainingMs = deadlineAt - Date.now();
  if (remainingMs <= 0) throw onDeadline();
  const { waitForRun } = proxyActivities<Activities>(waitForRunOptions(args.policy, args.stage, remainingMs));
  const requestsBefore = checkNowCount();
  const scope = new CancellationScope();
  const check = scope.run(() => waitForRun(args));
  const woken = condition(() => checkNowCount() > requestsBefore);
  try {
    const winner = await Promise.race([check, woken.then(() => undefined)]);
    if (winner !== undefined) return winner;
    scope.cancel();
    return await check.catch((err: unknown) => {
      if (isCancellation(err) && !CancellationScope.current().consideredCancelled) return undefined;
      throw err;
    });
  } catch (err) {
    if (isScheduleToCloseTimeout(err)) throw onDeadline();
    throw err;
  }
}

function deadlineFailure(runId: string, stage: string, seconds: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: failureTypes.deadlineExceeded,
    message: `AI Hub run ${runId} did not leave ${stage} within ${seconds} s; the run is left as it is in AI Hub`,
    nonRetryable: true,
  });
}

function isScheduleToCloseTimeout(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE
  );
}
