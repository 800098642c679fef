/**
 * Starts an AI Hub run exactly once. AI Hub has no idempotency key, so the run is tagged with
 * `hubrun:<first execution run id>` and a POST is never sent while an earlier POST of the same
 * pipeline might still create a run: after a POST whose outcome is unknown (a timeout, a
 * connection lost after the request went out, a 5xx), the attempt keeps listing the recent runs
 * of the app or deployment for the tag until `startSettleMs` after that POST was sent, and adopts
 * the tagged run when it shows. A retried attempt, or a reset, retried or continued workflow
 * (`reconcileFirst`), looks the same way before it POSTs, across the window its predecessor's
 * heartbeat names (see {@link StartHeartbeat}), or from its own schedule time when it names none.
 * A worker killed after the POST, a slow AI Hub gateway and a run list that lags behind the
 * create therefore do not cause a second, billed run.
 */
import { Context } from '@temporalio/activity';
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { classifyAihubError, isAihubHttpError, isAihubNetworkError } from '../aihub';
import type { AihubClient, ListRunsQuery, Run, RunAppRequest, RunDeploymentRequest } from '../aihub';
import type { PipelineInput } from '../pipeline-input';
import { retryableFailureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';
import { aihubCall, toActivityFailure } from './failures';
import { withKeepAlive } from './keep-alive';

/** Input of the `startRun` and `findStartedRun` activities. */
export interface StartRunInput {
  input: PipelineInput;
  /** The batch to run on, when the input is a batch (given, or uploaded by the pipeline). */
  batchId: number | null;
  /** The exactly-once tag, `hubrun:<first execution run id>`. */
  tag: string;
  /** Further tags of hubrun's own the run gets (the `hubrun-wf:<workflow id>` tag); absent: none. */
  extraTags?: string[];
  /** Epoch seconds before which the run cannot have been started (the workflow's start, less a margin). */
  notBeforeSeconds: number;
  /**
   * Look for the tagged run before the first POST: true when the workflow was reset, retried or
   * continued as new, so an earlier run of it may have POSTed already. Absent: false.
   */
  reconcileFirst?: boolean;
}

/** What `startRun` tells the workflow. */
export interface StartedRun {
  runId: string;
  status: Run['status'];
  appId: string | null;
  /** Nanoseconds since the epoch, as a decimal string. */
  startTimestamp: string | null;
  /** True when the run was found by its tag: a POST whose answer never came (this or an earlier attempt's) created it. */
  adopted: boolean;
  /** The run's status URL in AI Hub. */
  runUrl: string;
  /** The `IB-Context` the run was started under. */
  context: string | null;
}

/** How long after a POST whose outcome is unknown the tag is still looked for. @default 120000 (2 minutes) */
export const DEFAULT_START_SETTLE_MS = 120_000;

/**
 * What a `startRun` attempt heartbeats, so the next attempt knows which POST may still create a
 * run. `postSentAtMs` is recorded right before the attempt's one POST. `lookUntilMs` is set only
 * as the attempt's last act before it fails (nothing is POSTed after it): until when the next
 * attempt must look for the tag before it POSTs (a time already past: look once).
 */
export interface StartHeartbeat {
  attempt: number;
  /** Epoch ms at which this attempt sent its POST; null before it does. */
  postSentAtMs: number | null;
  /** Epoch ms until which the next attempt must look for the tag (hand-off); absent while working. */
  lookUntilMs?: number;
}

/** Network codes that mean the request never reached AI Hub: nothing can have been created. */
const notSentCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when a failed POST is known not to have created a run: AI Hub answered a 4xx (a 429
 * included: the request was refused), or the connection failed before anything was sent.
 * A timeout, a connection lost later, a 5xx or anything else leaves the outcome unknown.
 */
export function startNotCreated(err: unknown): boolean {
  if (isAihubHttpError(err)) return err.status >= 400 && err.status <= 499;
  if (isAihubNetworkError(err)) return err.code !== undefined && notSentCodes.has(err.code);
  return false;
}

/** Builds the `startRun` activity. */
export function startRunActivity(deps: ActivityDeps): (args: StartRunInput) => Promise<StartedRun> {
  const settleMs = deps.startSettleMs ?? DEFAULT_START_SETTLE_MS;
  const now = deps.now ?? Date.now;
  return async function startRun(args: StartRunInput): Promise<StartedRun> {
    const ctx = Context.current();
    const { info } = ctx;
    const signal = ctx.cancellationSignal;
    // The attempt yields (a retryable failure with a hand-off) before its start-to-close ends it.
    const yieldAtMs = info.startToCloseTimeoutMs > 0 ? now() + info.startToCloseTimeoutMs * 0.75 : Infinity;
    let beat: StartHeartbeat = { attempt: info.attempt, postSentAtMs: null };
    // Until when a POST of this or an earlier attempt may still create the run.
    let pendingUntilMs = reconcileUntil(info, args.reconcileFirst === true, settleMs);
    const look = (untilMs: number): Promise<Run | undefined> =>
      lookForTag(deps.aihub, args, { untilMs, yieldAtMs, settleMs, now, signal });
    try {
      return await withKeepAlive(
        () => beat,
        async () => {
          if (pendingUntilMs !== undefined) {
            const earlier = await look(pendingUntilMs);
            if (earlier !== undefined) {
              ctx.log.info('adopted the run an earlier attempt started', {
                runId: earlier.id,
                tag: args.tag,
              });
              return describe(deps, earlier, true);
            }
          }
          // Recorded before the POST; for a first attempt this is its first heartbeat, sent at once.
          const postSentAtMs = now();
          beat = { attempt: info.attempt, postSentAtMs };
          ctx.heartbeat(beat);
          let run: Run;
          try {
            run = await post(deps, args, signal);
          } catch (err) {
            // Known not created, or failing the pipeline (no POST follows): nothing to settle.
            if (signal.aborted || startNotCreated(err) || !classifyAihubError(err).retryable) {
              pendingUntilMs = now();
              throw err;
            }
            pendingUntilMs = postSentAtMs + settleMs;
            ctx.log.warn('the start call has no answer: looking for the run it may have created', {
              tag: args.tag,
              settleMs,
            });
            const created = await look(pendingUntilMs);
            if (created === undefined) throw err;
            ctx.log.info('adopted the run the unanswered start call created', { runId: created.id });
            return describe(deps, created, true);
          }
          ctx.log.info('started AI Hub run', { runId: run.id, status: run.status });
          return describe(deps, run, false);
        },
      );
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // The hand-off, then nothing: the next attempt trusts it because no POST follows it.
      beat = { ...beat, lookUntilMs: pendingUntilMs ?? now() };
      ctx.heartbeat(beat);
      throw toActivityFailure(err);
    }
  };
}

/**
 * Until when this attempt must look for the tag before it POSTs, or undefined when no earlier
 * POST can exist (a first attempt of a first run). A predecessor's hand-off is trusted; a POST it
 * recorded is looked for until `settleMs` after it; otherwise the predecessor may have POSTed at
 * any moment up to this attempt's schedule time, so the window runs from there.
 */
function reconcileUntil(info: Info, reconcileFirst: boolean, settleMs: number): number | undefined {
  if (info.attempt <= 1 && !reconcileFirst) return undefined;
  const earlier = info.heartbeatDetails as Partial<StartHeartbeat> | undefined;
  if (earlier?.attempt === info.attempt - 1) {
    if (typeof earlier.lookUntilMs === 'number') return earlier.lookUntilMs;
    if (typeof earlier.postSentAtMs === 'number') return earlier.postSentAtMs + settleMs;
  }
  return info.currentAttemptScheduledTimestampMs + settleMs;
}

/** Bounds of {@link lookForTag}. */
interface LookWindow {
  /** Look at least once, and again every few seconds until this epoch ms. */
  untilMs: number;
  /** When the attempt must hand off instead of looking on. */
  yieldAtMs: number;
  settleMs: number;
  now: () => number;
  signal: AbortSignal;
}

/** Longest pause between two looks for the tag. */
const MAX_LOOK_INTERVAL_MS = 5000;

/**
 * Looks for the tagged run until `untilMs` (at least once, the last look at or after it),
 * heartbeating through `withKeepAlive`, pausing a few seconds between looks; a cancellation
 * ends the pause at once. Fails retryably when the attempt must yield before `untilMs`.
 */
async function lookForTag(
  aihub: AihubClient,
  args: StartRunInput,
  window: LookWindow,
): Promise<Run | undefined> {
  const ctx = Context.current();
  const intervalMs = Math.max(200, Math.min(MAX_LOOK_INTERVAL_MS, window.settleMs / 4));
  for (;;) {
    const run = await aihubCall(() => findTaggedRun(aihub, args, window.signal));
    if (run !== undefined) return run;
    const left = window.untilMs - window.now();
    if (left <= 0) return undefined;
    if (window.now() + Math.min(intervalMs, left) >= window.yieldAtMs) {
      throw ApplicationFailure.create({
        type: retryableFailureTypes.unavailable,
        message: 'an earlier start call may still create the run: the next attempt looks on',
        nonRetryable: false,
        nextRetryDelay: 1000,
      });
    }
    await ctx.sleep(Math.min(intervalMs, left));
  }
}

/** POSTs the run, tagged and with the worker's PDF passwords. */
function post(deps: ActivityDeps, args: StartRunInput, signal: AbortSignal): Promise<Run> {
  const { input } = args;
  const opts = { signal };
  const settings = {
    ...withPdfPasswords(input.settings, deps.pdfPasswords),
    tags: [...(input.tags ?? []), args.tag, ...(args.extraTags ?? [])],
  };
  const source = args.batchId !== null ? { batch_id: args.batchId } : { input_dir: input.inputDir };
  if (input.deploymentId !== undefined) {
    const body: RunDeploymentRequest = {
      ...source,
      ...(input.appVersion !== undefined ? { version: input.appVersion } : {}),
      ...(input.outputDir !== undefined ? { output_dir: input.outputDir } : {}),
      settings,
    };
    return deps.aihub.runDeployment(input.deploymentId, body, opts);
  }
  const body: RunAppRequest = {
    ...(input.appName !== undefined ? { app_name: input.appName } : { app_id: input.appId }),
    ...(input.appOwner !== undefined ? { owner: input.appOwner } : {}),
    ...(input.appVersion !== undefined ? { version: input.appVersion } : {}),
    ...source,
    ...(input.outputWorkspace !== undefined ? { output_workspace: input.outputWorkspace } : {}),
    ...(input.outputDir !== undefined ? { output_dir: input.outputDir } : {}),
    settings,
  };
  return deps.aihub.runApp(body, opts);
}

/**
 * Builds the `findStartedRun` activity: the run carrying the pipeline's tag, or null. The
 * pipeline calls it when cancelled before `startRun` answered, so a run whose start was in
 * flight is still known (and deleted under `onCancel: 'delete'`).
 */
export function findStartedRunActivity(
  deps: ActivityDeps,
): (args: StartRunInput) => Promise<StartedRun | null> {
  return async function findStartedRun(args: StartRunInput): Promise<StartedRun | null> {
    const run = await aihubCall(() => findTaggedRun(deps.aihub, args, Context.current().cancellationSignal));
    return run === undefined ? null : describe(deps, run, true);
  };
}

/** Lists the runs of the pipeline's app or deployment since it started and returns the tagged one. */
export async function findTaggedRun(
  aihub: AihubClient,
  args: StartRunInput,
  signal: AbortSignal,
): Promise<Run | undefined> {
  const { input } = args;
  const query: Omit<ListRunsQuery, 'offset'> = {
    ...(input.deploymentId !== undefined
      ? { deployment_id: input.deploymentId }
      : input.appId !== undefined
        ? { app_id: input.appId }
        : { app_name: input.appName }),
    from_timestamp: args.notBeforeSeconds,
    sort_by: 'start_timestamp',
    order: 'DESCENDING',
  };
  for await (const run of aihub.listAllRuns(query, { signal })) {
    if (run.tags?.includes(args.tag)) return run;
  }
  return undefined;
}

/** What the workflow is told of `run`; `adopted` when hubrun found it rather than started it. */
export function describe(deps: ActivityDeps, run: Run, adopted: boolean): StartedRun {
  return {
    runId: run.id,
    status: run.status,
    appId: run.app_id ?? null,
    startTimestamp: run.start_timestamp ?? null,
    adopted,
    runUrl: `${deps.apiRoot}/v2/apps/runs/${encodeURIComponent(run.id)}`,
    context: deps.ibContext ?? null,
  };
}

/**
 * The run's settings with the worker's PDF passwords added under
 * `runtime_config.instabase.pdf.passwords`. They are added here, in the activity, so they reach
 * AI Hub without entering the workflow's input or history.
 */
function withPdfPasswords(
  settings: PipelineInput['settings'],
  passwords: Readonly<Record<string, string>> | undefined,
): PipelineInput['settings'] {
  if (passwords === undefined || Object.keys(passwords).length === 0) return settings;
  const runtime = settings?.runtime_config ?? {};
  const instabase = (runtime.instabase ?? {}) as Record<string, unknown>;
  const pdf = (instabase.pdf ?? {}) as Record<string, unknown>;
  return {
    ...settings,
    runtime_config: { ...runtime, instabase: { ...instabase, pdf: { ...pdf, passwords: { ...passwords } } } },
  };
}
