/**
 * The run engine: creates runs and computes their progress lazily, on every read, from the app
 * behaviour they started with (clock mode: `msPerFile * files` after the start; checks mode: at the
 * Nth status check), then the outcome (COMPLETE, review checkpoint, FAILED, CANCELLED). Also keeps
 * the in-flight statistics and the consumption-unit quota.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Run, RunStatus } from '../aihub/schemas';
import type { SettledRun, StateStore, StoredRun } from './state-store';
import { drawDurationMs } from './run-durations';
import type { AppBehaviour } from './types';
import { CANCELLED_MSG, REVIEW_WAIT_MSG } from './undocumented';

/** Processing time per file in clock mode unless the app says otherwise. */
export const DEFAULT_MS_PER_FILE = 200;

/** How often the engine samples the runs in flight. */
const TICK_MS = 100;

/** A run's state at one instant. */
export interface RunView {
  status: RunStatus;
  msg: string | null;
  finishMs: number | null;
  /** 19-digit nanosecond finish as a decimal string; null while not terminal. */
  finishNs: string | null;
}

/** What a new run is made of: the stored run's request-given parts. */
export type NewRun = Pick<
  StoredRun,
  | 'app'
  | 'deploymentId'
  | 'batchId'
  | 'inputDir'
  | 'outputWorkspace'
  | 'outputDir'
  | 'version'
  | 'tags'
  | 'customKeys'
  | 'pdfPasswordFiles'
  | 'files'
> &
  Partial<Pick<StoredRun, 'webhook'>>;

/** Admin view of a run: everything the engine knows. */
export interface RunDetails {
  id: string;
  status: RunStatus;
  msg: string | null;
  appId: string;
  appName: string;
  deploymentId: string | null;
  batchId: number | null;
  inputDir: string | null;
  tags: string[];
  /** File names the run was given PDF passwords for. */
  pdfPasswordFiles: string[];
  fileCount: number;
  checks: number;
  startMs: number;
  start_timestamp: string;
  finishMs: number | null;
  processingEndsAtMs: number | null;
  reviewCompletedAtMs: number | null;
  behaviour: AppBehaviour;
}

/** `GET /_emulator/stats`. */
export interface EmulatorStats {
  runsInFlight: number;
  maxRunsInFlight: number;
  runsTotal: number;
}

/** The nanosecond timestamp of a millisecond instant plus `subMsNanos`, as a decimal string. */
export function toNanos(ms: number, subMsNanos: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(subMsNanos)).toString();
}

/** A fresh run id, `run-` and 20 hex digits. */
export function newRunId(): string {
  return `run-${randomBytes(10).toString('hex')}`;
}

/** When processing of the run ends (or ended); null in checks mode until the Nth check. */
export function processingEndsAt(run: StoredRun): number | null {
  const app = run.app;
  if (app.checksToComplete !== undefined) return run.processingEndedAtMs;
  if (run.durationMs !== undefined) return run.startMs + run.durationMs;
  return run.startMs + (app.msPerFile ?? DEFAULT_MS_PER_FILE) * run.files.length;
}

/** The state of `run` at `nowMs`, computed from its behaviour alone. */
export function evaluateRun(run: StoredRun, nowMs: number): RunView {
  const subMs = Number(BigInt(run.startNs) % 1_000_000n);
  const done = (s: SettledRun): RunView => ({ ...s, finishNs: toNanos(s.finishMs, subMs) });
  if (run.settled) return done(run.settled);
  const running: RunView = { status: 'RUNNING', msg: null, finishMs: null, finishNs: null };
  const endMs = processingEndsAt(run);
  if (endMs === null || nowMs < endMs) return running;
  const app = run.app;
  if (app.fail !== undefined) return done({ status: 'FAILED', msg: app.fail, finishMs: endMs });
  if (app.cancel) return done({ status: 'CANCELLED', msg: CANCELLED_MSG, finishMs: endMs });
  if (app.review) return evaluateReviews(run, app.review, endMs, nowMs, running, done);
  return done({ status: 'COMPLETE', msg: null, finishMs: endMs });
}

/**
 * The state of a run whose processing ended at `endMs` and that stops at review checkpoints:
 * each checkpoint lasts until it is reviewed (admin call, or `autoCompleteMs`), then the run is
 * RUNNING for `afterReviewMs`, then at the next checkpoint or COMPLETE.
 */
function evaluateReviews(
  run: StoredRun,
  review: NonNullable<AppBehaviour['review']>,
  endMs: number,
  nowMs: number,
  running: RunView,
  done: (s: SettledRun) => RunView,
): RunView {
  // An admin review can only happen at a checkpoint: the first one since a checkpoint began ends it.
  const adminReviews = [run.reviewCompletedAtMs, ...(run.laterReviewsAtMs ?? [])];
  let checkpointAt = endMs;
  for (let k = 0; k < (review.checkpoints ?? 1); k++) {
    const since = checkpointAt;
    const candidates = [adminReviews.find((t) => t !== null && t >= since) ?? null];
    if (review.autoCompleteMs !== undefined) candidates.push(checkpointAt + review.autoCompleteMs);
    const reviewed = candidates.filter((t): t is number => t !== null && t <= nowMs);
    if (reviewed.length === 0)
      return { status: 'STOPPED_AT_CHECKPOINT', msg: REVIEW_WAIT_MSG, finishMs: null, finishNs: null };
    checkpointAt = Math.min(...reviewed) + (review.afterReviewMs ?? 0);
    if (nowMs < checkpointAt) return running;
  }
  return done({ status: 'COMPLETE', msg: null, finishMs: checkpointAt });
}

/** Started and not terminal: RUNNING, PAUSED or STOPPED_AT_CHECKPOINT. */
export function isInFlight(status: RunStatus): boolean {
  return status === 'RUNNING' || status === 'PAUSED' || status === 'STOPPED_AT_CHECKPOINT';
}

/** Creates runs, answers their state, and keeps statistics and quota. */
export class RunEngine {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number,
    /** Called once when a run reaches a terminal status (its finish notification). */
    private readonly onSettled: (run: StoredRun) => void = () => undefined,
  ) {}

  private allRuns(): StoredRun[] {
    return Object.values(this.store.state.runs);
  }

  /** Takes `units` consumption units; false (and nothing taken) when not enough are left. */
  takeUnits(units: number): boolean {
    const left = this.store.state.remainingUnits;
    if (left === null) return true;
    if (left < units) return false;
    this.store.state.remainingUnits = left - units;
    return true;
  }

  /**
   * Adds a run (the caller persists the state before answering), with a fresh id starting now
   * unless `given` fixes them (a run a `slow-create` rule accepted earlier).
   */
  create(input: NewRun, given: { id?: string; startMs?: number } = {}): StoredRun {
    const startMs = Math.floor(given.startMs ?? this.now());
    const run: StoredRun = {
      id: given.id ?? newRunId(),
      ...input,
      startMs,
      startNs: toNanos(startMs, randomInt(1_000_000)),
      checks: 0,
      processingEndedAtMs:
        input.app.checksToComplete !== undefined && input.app.checksToComplete <= 0 ? startMs : null,
      reviewCompletedAtMs: null,
      settled: null,
    };
    if (input.app.durations !== undefined && input.app.checksToComplete === undefined) {
      run.durationMs = drawDurationMs(input.app.durations, input.files.length);
    }
    const state = this.store.state;
    state.runs[run.id] = run;
    state.runsTotal += 1;
    // In-flight only rises when a run starts, so sampling here makes the maximum exact.
    this.sample();
    return run;
  }

  /** The run's state now; a terminal state is recorded on the run. */
  view(run: StoredRun): RunView {
    const view = evaluateRun(run, this.now());
    if (
      !run.settled &&
      (view.status === 'COMPLETE' || view.status === 'FAILED' || view.status === 'CANCELLED')
    ) {
      run.settled = { status: view.status, msg: view.msg, finishMs: view.finishMs as number };
      this.store.saveSoon();
      this.onSettled(run);
    }
    return view;
  }

  /** Counts one status check (which, in checks mode, may end processing) and answers the state after it. */
  recordCheck(run: StoredRun): RunView {
    run.checks += 1;
    const target = run.app.checksToComplete;
    if (target !== undefined && run.processingEndedAtMs === null && run.checks >= target) {
      run.processingEndedAtMs = Math.floor(this.now());
    }
    this.store.saveSoon();
    return this.view(run);
  }

  /** Completes the review of a run at the checkpoint; false when the run is not there. */
  completeReview(run: StoredRun): boolean {
    if (this.view(run).status !== 'STOPPED_AT_CHECKPOINT') return false;
    const at = Math.floor(this.now());
    if (run.reviewCompletedAtMs === null) run.reviewCompletedAtMs = at;
    else run.laterReviewsAtMs = [...(run.laterReviewsAtMs ?? []), at];
    this.view(run);
    return true;
  }

  /** Runs started and not terminal now. */
  inFlight(): number {
    return this.allRuns().filter((run) => run.settled === null && isInFlight(this.view(run).status)).length;
  }

  /** Updates the maximum of runs in flight and answers the current count. */
  sample(): number {
    const count = this.inFlight();
    const state = this.store.state;
    if (count > state.maxRunsInFlight) {
      state.maxRunsInFlight = count;
      this.store.saveSoon();
    }
    return count;
  }

  stats(): EmulatorStats {
    const runsInFlight = this.sample();
    return {
      runsInFlight,
      maxRunsInFlight: this.store.state.maxRunsInFlight,
      runsTotal: this.store.state.runsTotal,
    };
  }

  /** Restarts the maximum from the runs in flight now. */
  resetStats(): void {
    this.store.state.maxRunsInFlight = this.inFlight();
    this.store.saveSoon();
  }

  /** The run as the API answers it (nanosecond timestamps as decimal strings). */
  toWire(run: StoredRun, view: RunView = this.view(run)): Run {
    return {
      id: run.id,
      status: view.status,
      start_timestamp: run.startNs,
      finish_timestamp: view.finishNs,
      msg: view.msg,
      batch_id: run.batchId,
      input_dir: run.inputDir,
      app_id: run.app.id,
      deployment_id: run.deploymentId,
      tags: run.tags,
    };
  }

  details(run: StoredRun): RunDetails {
    const view = this.view(run);
    return {
      id: run.id,
      status: view.status,
      msg: view.msg,
      appId: run.app.id,
      appName: run.app.name,
      deploymentId: run.deploymentId,
      batchId: run.batchId,
      inputDir: run.inputDir,
      tags: run.tags,
      pdfPasswordFiles: run.pdfPasswordFiles ?? [],
      fileCount: run.files.length,
      checks: run.checks,
      startMs: run.startMs,
      start_timestamp: run.startNs,
      finishMs: view.finishMs,
      processingEndsAtMs: processingEndsAt(run),
      reviewCompletedAtMs: run.reviewCompletedAtMs,
      behaviour: run.app,
    };
  }

  /** Starts the light periodic sampling (settles finished runs, keeps the in-flight maximum right). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
