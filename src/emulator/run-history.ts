/**
 * A run history worth learning from: per-app duration distributions (a lognormal of median and
 * spread, plus time per file), finished runs seeded in the past for tests and benchmarks, and the
 * finish notification AI Hub once documented per run (`webhook_config`), sent when a run ends.
 */
import { randomInt } from 'node:crypto';
import type { EmulatorContext } from './context';
import { newRunId, toNanos } from './run-engine';
import { drawDurationMs } from './run-durations';
import type { StoredRun } from './state-store';
import type { AppBehaviour, WebhookConfig } from './types';

/** Default time between the finishes of consecutive seeded runs. */
const DEFAULT_SPACING_MS = 600_000;

/** What {@link seedPastRuns} adds. */
export interface SeedRequest {
  count?: number | undefined;
  durationsMs?: number[] | undefined;
  deploymentId?: string | undefined;
  spacingMs?: number | undefined;
}

/**
 * Adds finished (COMPLETE) runs of `app` in the past: the newest finishes `spacingMs` before now,
 * each earlier one `spacingMs` before the next; durations as given or drawn from the app.
 * Answers the runs' ids, newest first.
 */
export function seedPastRuns(ctx: EmulatorContext, app: AppBehaviour, request: SeedRequest): string[] {
  const durations =
    request.durationsMs ??
    Array.from({ length: request.count ?? 20 }, () =>
      app.durations !== undefined ? drawDurationMs(app.durations, 1) : (app.msPerFile ?? 200),
    );
  const spacing = request.spacingMs ?? DEFAULT_SPACING_MS;
  const now = ctx.settings.now();
  return durations.map((durationMs, k) => {
    const finishMs = Math.floor(now - (k + 1) * spacing);
    const startMs = Math.floor(finishMs - durationMs);
    const run: StoredRun = {
      id: newRunId(),
      app: structuredClone(app),
      deploymentId: request.deploymentId ?? null,
      batchId: null,
      inputDir: null,
      outputWorkspace: null,
      outputDir: null,
      version: null,
      tags: [],
      customKeys: null,
      files: [],
      startMs,
      startNs: toNanos(startMs, randomInt(1_000_000)),
      checks: 0,
      processingEndedAtMs: null,
      reviewCompletedAtMs: null,
      settled: { status: 'COMPLETE', msg: null, finishMs: startMs + durationMs },
      durationMs,
    };
    ctx.store.state.runs[run.id] = run;
    ctx.store.state.runsTotal += 1;
    return run.id;
  });
}

/** The `webhook_config` of a run request body, when it names a URL (AI Hub's former per-run notification). */
export function webhookOf(body: unknown): WebhookConfig | undefined {
  const config = (body as { webhook_config?: unknown } | null)?.webhook_config;
  if (typeof config !== 'object' || config === null) return undefined;
  const { url, headers } = config as { url?: unknown; headers?: unknown };
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return undefined;
  const clean: Record<string, string> = {};
  if (typeof headers === 'object' && headers !== null) {
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') clean[k] = v;
  }
  return { url, headers: clean };
}

/**
 * POSTs the finish notification of `run` to its webhook, once, never failing the emulator: AI
 * Hub's documented body `{status, msg, job_id, input_dir, output}`, plus `run_id`.
 */
export function sendFinishNotification(run: StoredRun, output: string | null): void {
  const hook = run.webhook;
  if (hook === undefined || run.settled === null) return;
  const body = {
    status: run.settled.status,
    msg: run.settled.msg ?? '',
    job_id: run.id,
    run_id: run.id,
    input_dir: run.inputDir ?? '',
    output: output ?? '',
  };
  fetch(hook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(hook.headers ?? {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }).then(
    (response) => response.body?.cancel(),
    () => undefined,
  );
}
