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
import { RetryState, TimeoutType } from '@temporalio/common';
import type { Activities, CheckPlan, DurationPlan, RunTransition, StartedRun } from '../activities';
import type { PipelineInput, PipelineInputDraft } from '../pipeline-input';
import { batchNameFor, exactlyOnceTag, pipelineTags } from '../pipeline-names';
import { fillNominalDate, nominalInstant } from '../nominal-date';
import type { DatedInputCheck } from '../activities/check-input';
import { failureTypes } from '../failure-types';
import { CHECK_NOW_SIGNAL, PROGRESS_QUERY } from '../names';
import { initialProgress, phases } from '../progress';
import { searchAttributes } from '../search-attributes';
import type { Phase, PipelineProgress } from '../progress';
import { COMPLETED } from '../results';
import type { PipelineResult } from '../results';
import {
  checkNowLookup,
  historyLookup,
  inputCheck,
  remoteCall,
  startCall,
  transfer,
  uploadTransfer,
  waitForRunOptions,
} from './activity-options';
import { INPUT_CHECK_PATCH, legacyPipelineCheck } from './legacy-input-check';
import { HARDENED_WAIT_PATCH } from './patches';
import { createNotifier } from './notifier';
import { keepCurrentDetails, withSummary } from './user-metadata';
import { pipelineSummary } from '../pipeline-summary';

/** Answers the pipeline's {@link PipelineProgress}. */
export const progressQuery = defineQuery<PipelineProgress>(PROGRESS_QUERY);
/** Cuts the current backoff short: the run is checked now. */
export const checkNowSignal = defineSignal(CHECK_NOW_SIGNAL);

const { checkPipelineStart } = proxyLocalActivities<Activities>(inputCheck);
const { estimateDuration } = proxyLocalActivities<Activities>(historyLookup);
const { checkRunNow } = proxyLocalActivities<Activities>(checkNowLookup);
const { startRun } = proxyActivities<Activities>(startCall);
const { describeRun, findRetriedRun, findStartedRun, findUploadedBatch } =
  proxyActivities<Activities>(remoteCall);
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
  const hardened = patched(HARDENED_WAIT_PATCH);
  const checked = hardened
    ? await checkPipelineStart({
        input: raw,
        workflowId: info.workflowId,
        nominalTime: nominalInstant(info).toISOString(),
      })
    : await legacyDatedCheck(raw, info);
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
  if (checked.date !== null) upsertMemo({ datedInput: { date: checked.date, ...checked.filled } });
  progress.batchId = input.batchId ?? null;
  // Since HARDENED_WAIT_PATCH: outcome notifications, only when the input declares `notify`.
  const notifier = hardened ? createNotifier(input, progress) : undefined;
  notifier?.watchReviews();
  // Since HARDENED_WAIT_PATCH: the Temporal UI shows phase, AI Hub status and checks as current details.
  if (hardened) keepCurrentDetails(progress);

  const enter = (phase: Phase): void => {
    progress.phase = phase;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
  };
  const app = input.appName ?? input.appId;
  const known = [
    ...(input.deploymentId !== undefined
      ? [{ key: searchAttributes.deploymentId, value: input.deploymentId }]
      : []),
    ...(app !== undefined ? [{ key: searchAttributes.app, value: app }] : []),
    ...(input.batchId !== undefined ? [{ key: searchAttributes.batchId, value: String(input.batchId) }] : []),
  ];
  // Empty only for an adopted run given without app or input; Temporal refuses an empty upsert.
  if (known.length > 0) upsertSearchAttributes(known);

  const batch = {
    batchName: batchNameFor(info.workflowId, info.firstExecutionRunId),
    workspace: input.batchWorkspace ?? null,
  };
  let run: StartedRun | undefined;
  let startArgs: Parameters<Activities['startRun']>[0] | undefined;
  let uploadedBatchId: number | null = null;
  try {
    // Since HARDENED_WAIT_PATCH: a run started elsewhere, or the one of the pipeline this re-drives, is taken over.
    if (hardened) run = await takeOverRun(input, enter);
    if (input.files !== undefined && run === undefined) {
      enter(phases.uploading);
      const upload = withSummary(uploadFiles, uploadTransfer, `upload ${input.files.length} files`, hardened);
      const uploaded = await upload({ files: input.files, ...batch });
      uploadedBatchId = uploaded.batchId;
      progress.batchId = uploaded.batchId;
      progress.filesUploaded = uploaded.files;
      upsertSearchAttributes([{ key: searchAttributes.batchId, value: String(uploaded.batchId) }]);
    }

    if (run === undefined) {
      enter(phases.starting);
      // Since HARDENED_WAIT_PATCH the run also carries `hubrun-wf:<workflow id>` where it fits.
      const [tag, ...extraTags] = hardened
        ? pipelineTags(info.firstExecutionRunId, info.workflowId, input.tags ?? [])
        : [exactlyOnceTag(info.firstExecutionRunId)];
      startArgs = {
        input,
        batchId: progress.batchId,
        tag: tag ?? exactlyOnceTag(info.firstExecutionRunId),
        ...(extraTags.length > 0 ? { extraTags } : {}),
        notBeforeSeconds: Math.floor(info.startTime.getTime() / 1000) - RECONCILE_MARGIN_SECONDS,
        // A reset, retried or continued workflow may have POSTed before: look for the tag first.
        reconcileFirst: info.runId !== info.firstExecutionRunId || info.attempt > 1,
      };
      const start = withSummary(startRun, startCall, `start run of ${pipelineSummary(input)}`, hardened);
      run = await start(startArgs);
    }
    progress.runId = run.runId;
    upsertMemo({ aihubRunUrl: run.runUrl });
    upsertSearchAttributes([
      { key: searchAttributes.runId, value: run.runId },
      ...(run.appId !== null && input.appName === undefined
        ? [{ key: searchAttributes.app, value: run.appId }]
        : []),
      ...(run.context !== null ? [{ key: searchAttributes.context, value: run.context }] : []),
    ]);
    const final = await waitUntilFinished(run, input, progress, () => checkNowRequests, enter, hardened);

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
    const page = withSummary(fetchResults, transfer, `page results of ${run.runId}`, hardened);
    const results = await page({
      workflowId: info.workflowId,
      runId: run.runId,
      appId: run.appId,
      resultsDir: input.resultsDir ?? null,
      ...(hardened && input.resultsUrl !== undefined ? { resultsUrl: input.resultsUrl } : {}),
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
        batchId: batchToDelete,
      });
    }

    enter(phases.completed);
    await notifier?.send('completed', {
      resultsPath: results.resultsPath,
      files: results.files,
      documents: results.documents,
      fields: results.fields,
      fieldErrors: results.fieldErrors,
    });
    return {
      workflowId: info.workflowId,
      runId: run.runId,
      status: COMPLETED,
      files: results.files,
      documents: results.documents,
      fields: results.fields,
      fieldErrors: results.fieldErrors,
      errorRatio: results.errorRatio,
      resultsPath: results.resultsPath,
      manifestPath: results.manifestPath,
      ...(results.resultsUrl !== undefined ? { resultsUrl: results.resultsUrl } : {}),
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
          await deleteRemote({ runId: run?.runId ?? null, batchId: uploadedBatchId });
        } else {
          log.info('pipeline cancelled: abandoning the AI Hub run (AI Hub cannot cancel runs)', {
            runId: run?.runId,
          });
        }
      });
    } else {
      enter(phases.failed);
      progress.lastError = err instanceof Error ? err.message : String(err);
      await notifier?.failed(err);
    }
    throw err;
  }
}

/**
 * The run a pipeline takes over instead of starting one: `adoptRunId` (failing as `AihubNotFound`
 * when AI Hub has no such run), or the run of the pipeline named by `retryOf` unless it FAILED
 * or was cancelled; undefined when the pipeline starts its own.
 */
async function takeOverRun(
  input: PipelineInput,
  enter: (phase: Phase) => void,
): Promise<StartedRun | undefined> {
  if (input.adoptRunId !== undefined) {
    enter(phases.starting);
    return describeRun({ runId: input.adoptRunId });
  }
  if (input.retryOf === undefined) return undefined;
  enter(phases.starting);
  return (await findRetriedRun({ input, retryOf: input.retryOf })) ?? undefined;
}

/**
 * The `{date}` fill and input check of pipelines started before {@link HARDENED_WAIT_PATCH}: the
 * date computed in the workflow's sandbox, as they computed it then.
 */
async function legacyDatedCheck(
  raw: PipelineInputDraft,
  info: ReturnType<typeof workflowInfo>,
): Promise<DatedInputCheck> {
  const dated = fillNominalDate(raw, nominalInstant(info));
  const check = patched(INPUT_CHECK_PATCH)
    ? await checkPipelineStart({ input: dated.input, workflowId: info.workflowId })
    : legacyPipelineCheck(dated.input, info.workflowId);
  return { ...check, date: dated.date, filled: dated.filled };
}

/** Run statuses after which nothing changes any more. */
const finalStatuses: ReadonlySet<string> = new Set(['COMPLETE', 'FAILED', 'CANCELLED']);
/** The six statuses AI Hub documents; any other counts as still processing. */
const knownStatuses: ReadonlySet<string> = new Set([
  ...finalStatuses,
  'RUNNING',
  'PAUSED',
  'STOPPED_AT_CHECKPOINT',
]);

/**
 * Waits through processing and review until the run is COMPLETE, FAILED or CANCELLED. The
 * processing deadline bounds the time spent processing (RUNNING, PAUSED or a status hubrun does
 * not know), review time apart; each review checkpoint has a review deadline of its own.
 * Workflows started before {@link HARDENED_WAIT_PATCH} (`perStage` false) keep their deadlines
 * as they were: processing counted from the start of the wait, one review clock for all checkpoints.
 */
async function waitUntilFinished(
  run: StartedRun,
  input: PipelineInput,
  progress: PipelineProgress,
  checkNowCount: () => number,
  enter: (phase: Phase) => void,
  perStage: boolean,
): Promise<{ status: string; msg: string | null }> {
  let status: string = run.status;
  let msg: string | null = null;
  const { wait: policy } = input;
  const startedAt = Date.now(); // workflow time: deterministic
  let processingMs = 0;
  let reviewStartedAt: number | null = null;
  const warned = new Set<string>();
  progress.waitingSince = new Date(startedAt).toISOString();
  // Pipelines since HARDENED_WAIT_PATCH plan their checks, and show status and phase in one upsert.
  const runStartMs = runStartMsOf(run, startedAt);
  const chosen = perStage ? await choosePlan(run, input, runStartMs) : undefined;
  if (chosen !== undefined) progress.plan = chosen.description;
  let deferFirst = chosen?.plan.kind === 'learned';
  let reviewed = false;
  const showStatus = (phase?: Phase): void => {
    progress.remoteStatus = status;
    if (phase !== undefined) progress.phase = phase;
    upsertSearchAttributes([
      { key: searchAttributes.runStatus, value: status },
      ...(phase !== undefined ? [{ key: searchAttributes.phase, value: phase }] : []),
    ]);
    if (!knownStatuses.has(status) && !warned.has(status)) {
      warned.add(status);
      log.warn('AI Hub answered a run status hubrun does not know; treating it as still processing', {
        runId: run.runId,
        status,
      });
    }
  };
  if (!perStage) showStatus();

  while (!finalStatuses.has(status)) {
    const inReview = status === 'STOPPED_AT_CHECKPOINT';
    const stageStartedAt = Date.now();
    if (!inReview && perStage) reviewStartedAt = null; // the next checkpoint gets a review deadline of its own
    const reviewClock = inReview ? (reviewStartedAt ??= stageStartedAt) : null;
    if (perStage) showStatus(inReview ? phases.reviewing : phases.waiting);
    else enter(inReview ? phases.reviewing : phases.waiting);
    const deadlineAt =
      reviewClock !== null
        ? reviewClock + policy.reviewDeadlineSeconds * 1000
        : perStage
          ? stageStartedAt + policy.runDeadlineSeconds * 1000 - processingMs
          : startedAt + policy.runDeadlineSeconds * 1000;
    const stage = inReview ? 'review' : 'processing';
    if (inReview) reviewed = true;
    // A learned plan holds for the first processing stretch; after a review the backoff takes over.
    const plan =
      chosen === undefined || inReview || (reviewed && chosen.plan.kind === 'learned')
        ? undefined
        : chosen.plan;
    const planned = plan === undefined ? {} : { plan, runStartMs, ...(deferFirst ? { deferFirst } : {}) };
    deferFirst = false;
    const transition = await checkUntilChanged(
      { runId: run.runId, lastStatus: status, stage, policy, ...planned },
      deadlineAt,
      checkNowCount,
      () =>
        deadlineFailure(
          run.runId,
          stage,
          inReview ? policy.reviewDeadlineSeconds : policy.runDeadlineSeconds,
        ),
      perStage ? () => void progress.checks++ : undefined,
    );
    if (!inReview) processingMs += Date.now() - stageStartedAt;
    if (transition === undefined) continue; // a checkNow signal: check again at once
    progress.checks += transition.checks;
    status = transition.status;
    msg = transition.msg;
    // Since the patch, a status the loop goes on with is shown together with its phase.
    if (!perStage || finalStatuses.has(status)) showStatus();
    else progress.remoteStatus = status;
  }
  return { status, msg };
}

/** The run's start in ms (AI Hub's clock), the origin of planned checks; the wait's start when unknown or later. */
function runStartMsOf(run: StartedRun, waitStartMs: number): number {
  if (run.startTimestamp === null) return waitStartMs;
  const ms = Number(BigInt(run.startTimestamp) / 1_000_000n);
  return ms > 0 && ms <= waitStartMs ? ms : waitStartMs;
}

/**
 * The wait's plan: `fixed` and `geometric` as asked; `learned` from the app's or deployment's run
 * history (a local activity), geometric when the history is too thin or too spread, or when the
 * lookup fails: it never fails the pipeline.
 */
async function choosePlan(run: StartedRun, input: PipelineInput, runStartMs: number): Promise<DurationPlan> {
  const policy = input.wait;
  const kind = (policy.plan as PipelineInput['wait']['plan'] | undefined) ?? 'geometric';
  const asked = (plan: CheckPlan, description: string): DurationPlan => ({
    plan,
    description,
    lookupCalls: 0,
  });
  if (kind === 'fixed') return asked({ kind: 'fixed' }, `fixed (every ${policy.initialIntervalSeconds} s)`);
  if (kind === 'geometric') return asked({ kind: 'geometric', reason: 'asked for' }, 'geometric (asked for)');
  try {
    return await estimateDuration({
      deploymentId: input.deploymentId ?? null,
      appId: input.deploymentId === undefined ? (run.appId ?? input.appId ?? null) : null,
      appName: input.appName ?? null,
      runId: run.runId,
      untilSeconds: Math.floor(runStartMs / 1000),
      policy,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('the run history lookup failed; waiting with the geometric plan', { runId: run.runId });
    const reason = 'history lookup failed';
    return asked({ kind: 'geometric', reason }, `geometric (${reason})`);
  }
}

/**
 * Runs `waitForRun` until the run's status changes. Resolves undefined when a `checkNow` signal
 * cut the backoff short (the caller starts a fresh check), and fails as deadline exceeded when
 * the deadline passes: Temporal ends the wait either with a schedule-to-close timeout or, when
 * the next retry would come after the deadline, with the last "not finished" failure and retry
 * state TIMEOUT.
 */
async function checkUntilChanged(
  args: Parameters<Activities['waitForRun']>[0],
  deadlineAt: number,
  checkNowCount: () => number,
  onDeadline: () => ApplicationFailure,
  countLookup?: () => void,
): Promise<RunTransition | undefined> {
  const remainingMs = deadlineAt - Date.now();
  if (remainingMs <= 0) throw onDeadline();
  // Since HARDENED_WAIT_PATCH (the pipelines that count lookups), the wait is summarised in the UI.
  const summary = countLookup !== undefined ? { summary: `wait for ${args.runId} (${args.stage})` } : {};
  const { waitForRun } = proxyActivities<Activities>({
    ...waitForRunOptions(args.policy, args.stage, remainingMs),
    ...summary,
  });
  const requestsBefore = checkNowCount();
  const scope = new CancellationScope();
  const check = scope.run(() => waitForRun(args));
  if (countLookup !== undefined) {
    return checkOnSignal(args, check, scope, requestsBefore, checkNowCount, countLookup, onDeadline);
  }
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
    if (isDeadlineTimeout(err)) throw onDeadline();
    throw err;
  }
}

/**
 * Since {@link HARDENED_WAIT_PATCH}: a `checkNow` signal checks the run once in a local activity
 * (one marker event) while the wait's own checks go on; only a status that changed ends the wait
 * activity (two events), so a run-finished hook costs the history two events, not seven.
 */
async function checkOnSignal(
  args: Parameters<Activities['waitForRun']>[0],
  check: Promise<RunTransition>,
  scope: CancellationScope,
  requestsBefore: number,
  checkNowCount: () => number,
  countLookup: () => void,
  onDeadline: () => ApplicationFailure,
): Promise<RunTransition> {
  let handled = requestsBefore;
  try {
    for (;;) {
      const woken = condition(() => checkNowCount() > handled);
      const winner = await Promise.race([check, woken.then(() => undefined)]);
      if (winner !== undefined) return winner;
      handled = checkNowCount();
      const seen = await checkRunNow({ runId: args.runId, lastStatus: args.lastStatus }).then(
        (transition) => {
          if (transition === null) countLookup(); // a transition counts its own check
          return transition;
        },
        (err: unknown) => {
          if (isCancellation(err)) throw err;
          return null; // the wait's own checks go on
        },
      );
      if (seen !== null) {
        scope.cancel();
        check.catch(() => undefined);
        return seen;
      }
    }
  } catch (err) {
    if (isDeadlineTimeout(err)) throw onDeadline();
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

/** Whether the wait activity ended because its deadline (schedule-to-close timeout) passed. */
function isDeadlineTimeout(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  if (err.retryState === RetryState.TIMEOUT) return true;
  return err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
}
