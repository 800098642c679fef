/**
 * Runs a `slow-create` rule has accepted but not yet created. Each waits in the state file (so a
 * restart keeps it) until its creation time, then becomes a run: on the first API or admin
 * request from that time on, or when its own POST wakes, whichever comes first. The quota is
 * taken at creation.
 */
import type { NewRun, RunEngine } from './run-engine';
import { newRunId } from './run-engine';
import type { StateStore, StoredRun } from './state-store';

/** How often a waiting POST looks at the clock again (the clock may be a test's). */
const RECHECK_MS = 100;

/** Thrown to a waiting POST when the emulator closes first. */
export class EmulatorClosedError extends Error {
  constructor() {
    super('the emulator closed before the run was created');
    this.name = 'EmulatorClosedError';
  }
}

/** A run a `slow-create` rule accepted, as `GET /_emulator/pending-runs` lists it. */
export interface PendingRunInfo {
  /** The id the run will have. */
  id: string;
  /** When it will be created, ms on the emulator's clock. */
  createAtMs: number;
  appId: string;
  tags: string[];
}

/** The pending creations of one emulator. */
export class PendingRuns {
  /** Outcome per run id whose POST still waits: the run, or null when the quota refused it. */
  private readonly outcomes = new Map<string, StoredRun | null>();
  private readonly waiting = new Set<string>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private closed = false;

  constructor(
    private readonly store: StateStore,
    private readonly engine: RunEngine,
    private readonly now: () => number,
  ) {}

  /** The creations still pending, soonest first. */
  list(): PendingRunInfo[] {
    return Object.values(this.store.state.pendingRuns)
      .sort((a, b) => a.createAtMs - b.createAtMs)
      .map((p) => ({ id: p.id, createAtMs: p.createAtMs, appId: p.run.app.id, tags: p.run.tags }));
  }

  /** Creates every pending run whose time has come (and `force`, the caller's own, regardless). */
  createDue(force?: string): void {
    const pending = this.store.state.pendingRuns;
    const nowMs = this.now();
    const due = Object.values(pending)
      .filter((p) => p.createAtMs <= nowMs || p.id === force)
      .sort((a, b) => a.createAtMs - b.createAtMs);
    if (due.length === 0) return;
    for (const p of due) {
      delete pending[p.id];
      const run = this.engine.takeUnits(p.run.files.length)
        ? this.engine.create(p.run, { id: p.id, startMs: p.createAtMs })
        : null;
      if (this.waiting.has(p.id)) this.outcomes.set(p.id, run);
    }
    this.store.saveSoon();
  }

  /**
   * Records `run` for creation at `createAtMs` (persisted before it waits), waits until then and
   * answers the created run, or null when the quota had too few units left at that moment.
   */
  async createAt(run: NewRun, createAtMs: number): Promise<StoredRun | null> {
    const id = newRunId();
    this.store.state.pendingRuns[id] = { id, createAtMs, run };
    this.waiting.add(id);
    try {
      await this.store.save();
      while (!this.closed && !this.outcomes.has(id) && this.now() < createAtMs) {
        await this.sleep(Math.min(Math.max(createAtMs - this.now(), 1), RECHECK_MS));
      }
      if (this.closed) throw new EmulatorClosedError();
      if (!this.outcomes.has(id)) this.createDue(id);
      return this.outcomes.get(id) ?? null;
    } finally {
      this.waiting.delete(id);
      this.outcomes.delete(id);
    }
  }

  /** Wakes every waiting POST (each fails with {@link EmulatorClosedError}); the pending runs stay in the state. */
  close(): void {
    this.closed = true;
    for (const { timer, wake } of this.timers) {
      clearTimeout(timer);
      wake();
    }
    this.timers.clear();
  }

  /** A delay that close() cuts short and that does not keep the process alive. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      entry.timer.unref();
      this.timers.add(entry);
    });
  }
}
