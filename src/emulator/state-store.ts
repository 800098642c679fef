/**
 * The emulator's durable state (runs, batches, upload sessions, jobs, quota, catalogue additions)
 * and the JSON file that keeps it across restarts. Writes go to a temp file then rename, so a crash
 * never leaves a torn file; concurrent saves coalesce into one write of the latest state.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AppBehaviour, DeploymentBehaviour, WebhookConfig } from './types';

/** One input file of a run, analysed when the run started (so results never depend on later uploads). */
export interface StoredRunFile {
  name: string;
  /** Batch or drive path, answered as `input_file_path`. */
  path: string;
  size: number;
  sha256: string;
  pages: number;
  /** Values found in `<Field Name>: value` lines, keyed by the app's field name. */
  values: Record<string, string>;
}

/** The outcome of a run once nothing changes any more. */
export interface SettledRun {
  status: 'COMPLETE' | 'FAILED' | 'CANCELLED';
  msg: string | null;
  finishMs: number;
}

/** A run as the emulator keeps it. */
export interface StoredRun {
  id: string;
  /** The app's behaviour when the run started (later catalogue changes do not affect it). */
  app: AppBehaviour;
  deploymentId: string | null;
  batchId: number | null;
  inputDir: string | null;
  outputWorkspace: string | null;
  outputDir: string | null;
  version: string | null;
  tags: string[];
  customKeys: Record<string, unknown> | null;
  /** File names the run's `runtime_config.instabase.pdf.passwords` named (never the passwords). */
  pdfPasswordFiles?: string[];
  startMs: number;
  /** 19-digit nanosecond start, as a decimal string. */
  startNs: string;
  files: StoredRunFile[];
  /** `GET` status calls made so far. */
  checks: number;
  /** Checks mode: when the Nth check ended processing. */
  processingEndedAtMs: number | null;
  /** When the admin completed the review. */
  reviewCompletedAtMs: number | null;
  /** When each checkpoint after the first was reviewed through the admin surface, in order. */
  laterReviewsAtMs?: number[];
  /** Set once the run reached a terminal status. */
  settled: SettledRun | null;
  /** Processing time drawn at the start (an app with `durations`), ms. */
  durationMs?: number;
  /** Where the finish notification goes (the request's `webhook_config` or the app's `webhook`). */
  webhook?: WebhookConfig;
}

/** A run a `slow-create` rule accepted, created at `createAtMs` (its request-given parts). */
export interface StoredPendingRun {
  /** The id the run will have. */
  id: string;
  createAtMs: number;
  run: Omit<
    StoredRun,
    | 'id'
    | 'startMs'
    | 'startNs'
    | 'checks'
    | 'processingEndedAtMs'
    | 'reviewCompletedAtMs'
    | 'laterReviewsAtMs'
    | 'settled'
  >;
}

/** One file of a batch. */
export interface StoredBatchFile {
  size: number;
  modifiedMs: number;
}

/** A batch as the emulator keeps it. */
export interface StoredBatch {
  id: number;
  name: string;
  workspace: string;
  repoOwner: string;
  batchOwner: string;
  createdAtMs: number;
  updatedAtMs: number;
  files: Record<string, StoredBatchFile>;
}

/** A multipart upload session. */
export interface StoredSession {
  id: string;
  batchId: number;
  filename: string;
  fileSize: number;
  partSize: number;
  createdAtMs: number;
  parts: Record<string, { id: string; size: number }>;
}

/** An asynchronous deletion job. */
export interface StoredJob {
  id: string;
  kind: string;
  createdAtMs: number;
  polls: number;
}

/** Everything the state file holds. */
export interface EmulatorState {
  version: 1;
  nextBatchId: number;
  runs: Record<string, StoredRun>;
  /** Runs accepted by a `slow-create` rule and not yet created. */
  pendingRuns: Record<string, StoredPendingRun>;
  batches: Record<string, StoredBatch>;
  sessions: Record<string, StoredSession>;
  jobs: Record<string, StoredJob>;
  /** Consumption units left; null is unlimited. */
  remainingUnits: number | null;
  runsTotal: number;
  maxRunsInFlight: number;
  /** Apps and deployments added through the admin surface (they win over the start options). */
  apps: AppBehaviour[];
  deployments: DeploymentBehaviour[];
}

/** A state with nothing in it. */
export function emptyState(): EmulatorState {
  return {
    version: 1,
    nextBatchId: 1,
    runs: {},
    pendingRuns: {},
    batches: {},
    sessions: {},
    jobs: {},
    remainingUnits: null,
    runsTotal: 0,
    maxRunsInFlight: 0,
    apps: [],
    deployments: [],
  };
}

/** How long a progress-only change (a status check) may wait before it is written. */
const DEBOUNCE_MS = 100;

/** Loads and saves the state; without a file it keeps the state in memory only. */
export class StateStore {
  readonly state: EmulatorState;
  private readonly file: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writes = 0;

  private constructor(file: string | undefined, state: EmulatorState) {
    this.file = file;
    this.state = state;
  }

  /** Opens `file` (reloading what it holds) or, without a file, a memory-only store. */
  static async open(file: string | undefined): Promise<StateStore> {
    if (file === undefined) return new StateStore(undefined, emptyState());
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const state = text === undefined ? emptyState() : parseState(text, file);
    await mkdir(dirname(file), { recursive: true });
    return new StateStore(file, state);
  }

  /** Writes the state now (coalescing with other saves); resolves once it is on disk. */
  save(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    if (this.queued) return this.queued;
    const write = async (): Promise<void> => {
      this.queued = null;
      await this.writeNow();
    };
    const next = this.chain.then(write, write);
    this.queued = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Schedules a save within {@link DEBOUNCE_MS}: for progress that may be lost in a crash. */
  saveSoon(): void {
    if (this.file === undefined || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save().catch(() => undefined);
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Flushes pending changes. */
  async close(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.save();
  }

  private async writeNow(): Promise<void> {
    const file = this.file as string;
    const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
    await writeFile(tmp, JSON.stringify(this.state));
    await rename(tmp, file);
  }
}

function parseState(text: string, file: string): EmulatorState {
  const parsed = JSON.parse(text) as Partial<EmulatorState>;
  if (parsed.version !== 1)
    throw new Error(`${file}: not an emulator state file (version ${String(parsed.version)})`);
  return { ...emptyState(), ...parsed };
}
