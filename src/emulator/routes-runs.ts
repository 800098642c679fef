/** The run endpoints: run app, run deployment, get status, results, list and delete. */
import type { FastifyInstance } from 'fastify';
import {
  DeleteRunQuery,
  ListRunsQuery,
  RunAppRequest,
  RunDeploymentRequest,
  RunResultsQuery,
} from '../aihub/schemas';
import type { DeleteRunResponse, ListRunsResponse, RunSettings } from '../aihub/schemas';
import { removeBatch } from './batches';
import type { EmulatorContext } from './context';
import { createJob } from './jobs';
import { listedYet, modesOf, readStatus, slowCreateAt } from './hostile-modes';
import { HttpError, normaliseQuery, parseWith, sendJson } from './http-util';
import { buildResultsPage } from './results';
import { reshapeResultsPage } from './results-shapes';
import { apiRoute } from './route';
import type { NewRun } from './run-engine';
import type { RunInput } from './run-inputs';
import { resolveRunInput } from './run-inputs';
import type { StoredRun } from './state-store';
import { webhookOf } from './run-history';
import type { AppBehaviour, WebhookConfig } from './types';
import { DEFAULT_WORKSPACE, EMULATOR_USER, listDefaults, undocumentedStatus } from './undocumented';

/** Extra fields of a run request kept on the run. */
interface RunExtras {
  deploymentId: string | null;
  outputWorkspace?: string | undefined;
  outputDir?: string | undefined;
  version?: string | undefined;
  settings?: RunSettings | undefined;
  /** The request's `webhook_config`, else the app's configured notification. */
  webhook?: WebhookConfig | undefined;
}

/**
 * Takes the quota and creates the run, then persists it (before the answer is sent); with
 * `createAtMs` (a `slow-create` rule), first waits until then.
 */
async function startRun(
  ctx: EmulatorContext,
  app: AppBehaviour,
  input: RunInput,
  extras: RunExtras,
  createAtMs: number | null,
): Promise<StoredRun> {
  const newRun: NewRun = {
    app: structuredClone(app),
    deploymentId: extras.deploymentId,
    batchId: input.batchId,
    inputDir: input.inputDir,
    outputWorkspace: extras.outputWorkspace ?? null,
    outputDir: extras.outputDir ?? null,
    version: extras.version ?? null,
    tags: extras.settings?.tags ?? [],
    customKeys: extras.settings?.keys?.custom ?? null,
    pdfPasswordFiles: Object.keys(pdfPasswordsOf(extras.settings?.runtime_config)).sort(),
    files: input.files,
    ...(extras.webhook !== undefined ? { webhook: extras.webhook } : {}),
  };
  const run =
    createAtMs !== null
      ? await ctx.pending.createAt(newRun, createAtMs)
      : ctx.engine.takeUnits(newRun.files.length)
        ? ctx.engine.create(newRun)
        : null;
  if (run === null) throw new HttpError(403, 'out of consumption units');
  await ctx.store.save();
  return run;
}

/** `runtime_config.instabase.pdf.passwords`, or nothing. */
function pdfPasswordsOf(runtimeConfig: Record<string, unknown> | undefined): Record<string, unknown> {
  const passwords = (runtimeConfig?.instabase as { pdf?: { passwords?: unknown } } | undefined)?.pdf
    ?.passwords;
  return typeof passwords === 'object' && passwords !== null ? (passwords as Record<string, unknown>) : {};
}

function findRun(ctx: EmulatorContext, runId: string): StoredRun {
  const run = ctx.store.state.runs[runId];
  if (!run) throw new HttpError(undocumentedStatus.unknownRun, `run ${runId} not found`);
  return run;
}

/**
 * The workspace a run's output is in, as list runs filters by `output_workspaces`: the
 * `output_dir`'s (`<org>/<workspace>/fs/...`, which overrides `output_workspace`), else
 * `output_workspace`, else the caller's personal workspace (the spec's default).
 */
function outputWorkspaceOf(run: StoredRun): string {
  const fromDir = run.outputDir?.replace(/^\/+/, '').split('/')[1];
  return fromDir || (run.outputWorkspace ?? DEFAULT_WORKSPACE);
}

/** The request's `IB-Context` header, when it names one. */
function ibContextOf(headers: Record<string, unknown>): string | undefined {
  const value = headers['ib-context'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Registers the run endpoints on the `/api` scope. */
export function registerRunRoutes(api: FastifyInstance, ctx: EmulatorContext): void {
  const { engine, registry, store } = ctx;

  apiRoute(api, 'runApp', async (request, reply) => {
    const body = parseWith(RunAppRequest, request.body);
    const app =
      body.app_id !== undefined
        ? registry.appById(body.app_id)
        : registry.appByName(body.app_name ?? '', body.owner);
    if (!app) {
      const what =
        body.app_id ?? `'${body.app_name}'${body.owner === undefined ? '' : ` of owner '${body.owner}'`}`;
      throw new HttpError(404, `app ${what} not found`);
    }
    const input = await resolveRunInput(ctx, app, body, ibContextOf(request.headers));
    const run = await startRun(
      ctx,
      app,
      input,
      {
        deploymentId: null,
        outputWorkspace: body.output_workspace,
        outputDir: body.output_dir,
        version: body.version,
        settings: body.settings,
        webhook: webhookOf(request.body) ?? app.webhook,
      },
      slowCreateAt(ctx, request),
    );
    return sendJson(reply, 200, engine.toWire(run));
  });

  apiRoute(api, 'runDeployment', async (request, reply) => {
    const deploymentId = request.params.deploymentId as string;
    const deployment = registry.deployment(deploymentId);
    if (!deployment) throw new HttpError(404, `deployment ${deploymentId} not found`);
    const body = parseWith(RunDeploymentRequest, request.body);
    const app = registry.appById(deployment.appId);
    if (!app) throw new HttpError(404, `app ${deployment.appId} of deployment ${deploymentId} not found`);
    // manual_upstream_integration: the emulator has no mailbox, so such a run processes no file.
    const input = await resolveRunInput(ctx, app, body, ibContextOf(request.headers));
    const run = await startRun(
      ctx,
      app,
      input,
      {
        deploymentId,
        outputDir: body.output_dir,
        version: body.version,
        settings: body.settings,
        webhook: webhookOf(request.body) ?? app.webhook,
      },
      slowCreateAt(ctx, request),
    );
    return sendJson(reply, 202, engine.toWire(run));
  });

  apiRoute(api, 'getRun', async (request, reply) => {
    const run = findRun(ctx, request.params.runId as string);
    const view = engine.recordCheck(run);
    return sendJson(reply, 200, readStatus(modesOf(ctx, request), engine.toWire(run, view)));
  });

  apiRoute(api, 'getRunResults', async (request, reply) => {
    const query = parseWith(
      RunResultsQuery,
      normaliseQuery(request.query, {
        booleans: [
          'include_review_results',
          'include_confidence_scores',
          'include_validation_results',
          'include_source_info',
        ],
      }),
      'query',
    );
    const run = findRun(ctx, request.params.runId as string);
    const view = engine.view(run);
    if (view.status !== 'COMPLETE') {
      throw new HttpError(
        undocumentedStatus.resultsNotReady,
        `run ${run.id} is ${view.status}: results are available once it is COMPLETE`,
      );
    }
    const offset = query.file_offset ?? 0;
    const page = buildResultsPage(run, view.finishNs, offset, ctx.settings.pageSize, {
      confidence: query.include_confidence_scores ?? false,
      validation: query.include_validation_results ?? false,
      review: query.include_review_results ?? false,
      source: query.include_source_info ?? false,
    });
    return sendJson(reply, 200, reshapeResultsPage(page, modesOf(ctx, request).resultsShapes, run, offset));
  });

  apiRoute(api, 'listRuns', async (request, reply) => {
    const query = parseWith(
      ListRunsQuery,
      normaliseQuery(request.query, { arrays: ['status', 'output_workspaces'] }),
      'query',
    );
    const nowMs = ctx.settings.now();
    const modes = modesOf(ctx, request);
    const fromMs = (query.from_timestamp ?? Math.floor(nowMs / 1000) - listDefaults.runsWindowSeconds) * 1000;
    const toMs = query.to_timestamp === undefined ? Infinity : (query.to_timestamp + 1) * 1000;
    const rows = Object.values(store.state.runs)
      .map((run) => ({ run, view: engine.view(run) }))
      .filter(
        ({ run, view }) =>
          listedYet(modes, run, nowMs) &&
          run.startMs >= fromMs &&
          run.startMs < toMs &&
          (query.app_id === undefined || run.app.id === query.app_id) &&
          (query.app_name === undefined || run.app.name === query.app_name) &&
          (query.deployment_id === undefined || run.deploymentId === query.deployment_id) &&
          (query.run_id === undefined || run.id === query.run_id) &&
          // Every token acts as EMULATOR_USER, so that user started every run.
          (query.username === undefined || query.username === EMULATOR_USER) &&
          (query.status === undefined || query.status.includes(view.status)) &&
          (query.output_workspaces === undefined || query.output_workspaces.includes(outputWorkspaceOf(run))),
      );
    const byStart = (a: StoredRun, b: StoredRun): number => {
      const d = BigInt(a.startNs) - BigInt(b.startNs);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    };
    rows.sort((a, b) =>
      query.sort_by === 'status'
        ? a.view.status.localeCompare(b.view.status) || byStart(a.run, b.run)
        : byStart(a.run, b.run),
    );
    if ((query.order ?? listDefaults.runsOrder) === 'DESCENDING') rows.reverse();
    const offset = query.offset ?? 0;
    const page = rows.slice(offset, offset + (query.limit ?? listDefaults.runsLimit));
    const body: ListRunsResponse = {
      runs: page.map(({ run, view }) => readStatus(modes, engine.toWire(run, view))),
    };
    return sendJson(reply, 200, body);
  });

  apiRoute(api, 'deleteRun', async (request, reply) => {
    const query = parseWith(
      DeleteRunQuery,
      normaliseQuery(request.query, {
        booleans: ['delete_db_data', 'delete_input', 'delete_output', 'delete_logs'],
      }),
      'query',
    );
    const run = findRun(ctx, request.params.runId as string);
    const state = store.state;
    const nowMs = ctx.settings.now();
    const answer: DeleteRunResponse = {
      delete_input_dir_job_id: null,
      delete_output_dir_job_id: null,
      delete_log_dir_job_id: null,
    };
    if (query.delete_input ?? true) {
      answer.delete_input_dir_job_id = createJob(state, `delete input of ${run.id}`, nowMs);
      const batch = run.batchId === null ? undefined : state.batches[String(run.batchId)];
      if (batch) await removeBatch(ctx, batch);
      if (run.inputDir !== null) {
        // The drive files the run processed (not the whole folder: later files are not its input).
        for (const file of run.files) await ctx.files.remove(ctx.files.drivePath(file.path));
      }
    }
    if (query.delete_output ?? true) {
      answer.delete_output_dir_job_id = createJob(state, `delete output of ${run.id}`, nowMs);
    }
    if (query.delete_logs ?? true)
      answer.delete_log_dir_job_id = createJob(state, `delete logs of ${run.id}`, nowMs);
    if (query.delete_db_data ?? true) delete state.runs[run.id];
    await store.save();
    return sendJson(reply, 202, answer);
  });
}
