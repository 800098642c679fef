/**
 * Starts an AI Hub run exactly once. AI Hub has no idempotency key, so the run is tagged with
 * `hubrun:<first execution run id>` and every retried attempt first lists the recent runs of
 * the same app or deployment and adopts the one carrying the tag; only when none does does it
 * POST again. A worker killed after the POST and before the activity completed therefore never
 * causes a second, billed run.
 */
import { Context } from '@temporalio/activity';
import type { AihubClient, ListRunsQuery, Run, RunAppRequest, RunDeploymentRequest } from '../aihub';
import type { PipelineInput } from '../pipeline-input';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';

/** Input of the `startRun` and `findStartedRun` activities. */
export interface StartRunInput {
  input: PipelineInput;
  /** The batch to run on, when the input is a batch (given, or uploaded by the pipeline). */
  batchId: number | null;
  /** The exactly-once tag, `hubrun:<first execution run id>`. */
  tag: string;
  /** Epoch seconds before which the run cannot have been started (the workflow's start, less a margin). */
  notBeforeSeconds: number;
}

/** What `startRun` tells the workflow. */
export interface StartedRun {
  runId: string;
  status: Run['status'];
  appId: string | null;
  /** Nanoseconds since the epoch, as a decimal string. */
  startTimestamp: string | null;
  /** True when a retried attempt found the run an earlier attempt had started. */
  adopted: boolean;
  /** The run's status URL in AI Hub. */
  runUrl: string;
  /** The `IB-Context` the run was started under. */
  context: string | null;
}

/** Builds the `startRun` activity. */
export function startRunActivity(deps: ActivityDeps): (args: StartRunInput) => Promise<StartedRun> {
  return async function startRun(args: StartRunInput): Promise<StartedRun> {
    const ctx = Context.current();
    const opts = { signal: ctx.cancellationSignal };
    if (ctx.info.attempt > 1) {
      const earlier = await aihubCall(() => findTaggedRun(deps.aihub, args, opts.signal));
      if (earlier !== undefined) {
        ctx.log.info('adopted the run an earlier attempt started', { runId: earlier.id, tag: args.tag });
        return describe(deps, earlier, true);
      }
    }
    const { input } = args;
    const settings = {
      ...withPdfPasswords(input.settings, deps.pdfPasswords),
      tags: [...(input.tags ?? []), args.tag],
    };
    const source = args.batchId !== null ? { batch_id: args.batchId } : { input_dir: input.inputDir };
    const run = await aihubCall(() => {
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
    });
    ctx.log.info('started AI Hub run', { runId: run.id, status: run.status });
    return describe(deps, run, false);
  };
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
async function findTaggedRun(
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

function describe(deps: ActivityDeps, run: Run, adopted: boolean): StartedRun {
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
