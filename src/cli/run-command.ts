/**
 * `hubrun run`: starts one pipeline, or a fan-out with `--input-dirs FILE`. Everything is
 * checked before anything starts. With `--wait` it shows live progress on stderr and exits 0
 * only when the pipeline (or every child) succeeded; `--json` prints one JSON summary on stdout
 * and nothing else, also when the pipeline or the fan-out itself fails.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { connectClient, startFanOut, startPipeline } from '../client';
import type { FanOutHandle, PipelineHandle } from '../client';
import { loadClientConfig } from '../config';
import { failureOf } from '../failure-types';
import { PROGRESS_QUERY } from '../names';
import type { PipelineProgress } from '../progress';
import { COMPLETED, currentPipelineResult } from '../results';
import type { FanOutResult, StoredPipelineResult } from '../results';
import { runRequestFromFlags } from './run-flags';
import type { RunFlags } from './run-flags';
import { printFanOutResult, printPipelineResult } from './print-results';
import { watchFanOut, watchPipeline } from './watch';

/** The one JSON object `run --json` prints for a pipeline, and for a fan-out that did not finish. */
export interface RunSummary {
  workflowId: string;
  /** The AI Hub run id, once known. */
  runId: string | null;
  status: 'STARTED' | typeof COMPLETED | 'FAILED' | 'CANCELLED';
  files: number | null;
  documents: number | null;
  fields: number | null;
  fieldErrors: number | null;
  resultsPath: string | null;
  /** Stable failure type (`AihubRunFailed`, ...) when the pipeline failed. */
  failureType?: string;
  error?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds `run` to the CLI. */
export function addRunCommand(cli: Command): void {
  cli
    .command('run')
    .description('start a pipeline (one AI Hub run), or a fan-out over many input folders')
    .option('--app <name>', 'app by name')
    .option('--owner <account>', 'owner of the app given by --app (instabase for marketplace apps)')
    .option('--app-version <version>', 'app or deployment version (default: the latest)')
    .option('--app-id <id>', 'app by id')
    .option('--deployment <id>', 'deployment by id')
    .option('--batch-id <n>', 'input: an AI Hub batch')
    .option('--input-dir <drive path>', 'input: an AI Hub drive folder')
    .option('--files <path...>', 'input: local files, uploaded to a new batch (paths on the worker)')
    .option('--input-dirs <file>', 'fan-out: one child pipeline per drive folder listed in the file')
    .option('--concurrency <n>', 'fan-out: children running at once (default 5)')
    .option('--batch-workspace <workspace>', 'workspace of the batch made for --files')
    .option('--output-dir <drive path>', "where AI Hub writes its outputs (AI Hub's own)")
    .option('--output-workspace <workspace>', "AI Hub's output workspace")
    .option('--settings <file>', 'JSON file of AI Hub run settings (keys, runtime_config)')
    .option('--tag <tag>', 'tag the AI Hub run (repeatable)', collect)
    .option('--results-dir <dir>', 'where hubrun writes fetched results (default HUBRUN_OUTPUT_DIR)')
    .option('--results-url <url>', 'or where they go as s3:// or file:// (default HUBRUN_RESULTS_URL)')
    .option('--id <key>', 'workflow id, a business key (default: derived from app and input)')
    .option(
      '--adopt-run <run id>',
      'wait for and deliver an AI Hub run started elsewhere (no app or input needed)',
    )
    .option('--max-error-ratio <r>', 'fail when more than this share of fields is in ERROR (default 1)')
    .addOption(
      new Option('--on-cancel <policy>', 'what cancelling does to the AI Hub run').choices([
        'abandon',
        'delete',
      ]),
    )
    .addOption(
      new Option('--cleanup <what>', 'what to delete in AI Hub once results are safe').choices([
        'none',
        'run',
        'batch',
        'all',
      ]),
    )
    .addOption(
      new Option('--plan <plan>', 'how status checks are placed (default learned)').choices([
        'learned',
        'geometric',
        'fixed',
      ]),
    )
    .option('--lag-target <target>', 'mean lag a learned plan aims at: 5% of the duration (default) or 30s')
    .option('--run-deadline <duration>', 'longest processing time, e.g. 6h or 3d (default 3d)')
    .option('--review-deadline <duration>', 'longest wait at each review checkpoint (default 14d)')
    .option('--hook', 'a run-finished hook (hubrun hook) signals the pipeline: poll only as a safety net')
    .option('--wait', 'wait for the end with live progress; exit 0 only on success')
    .option('--json', 'print one JSON summary on stdout and nothing else')
    .action((flags: RunFlags & { wait?: boolean; json?: boolean }) => runCommand(flags));
}

async function runCommand(flags: RunFlags & { wait?: boolean; json?: boolean }): Promise<void> {
  const request = await runRequestFromFlags(flags);
  const config = loadClientConfig();
  const client = await connectClient(config);
  try {
    if (request.kind === 'fan-out') {
      const handle = await startFanOut(client, request.draft, { taskQueue: config.taskQueue });
      await finishFanOut(handle, flags);
    } else {
      const handle = await startPipeline(client, request.draft, {
        taskQueue: config.taskQueue,
        startedBy: `hubrun run (${caller()})`,
      });
      await finishPipeline(handle, flags);
    }
  } finally {
    await client.connection.close();
  }
}

/** Stops watching on Ctrl-C and says so: the workflow itself runs on. */
function detachOnInterrupt(workflowId: string): void {
  process.once('SIGINT', () => {
    process.stderr.write(`\nstopped watching; ${workflowId} keeps running (hubrun status ${workflowId})\n`);
    process.exit(130);
  });
}

/** The summary of a workflow just started: nothing known yet. */
function startedSummary(workflowId: string): RunSummary {
  return {
    workflowId,
    runId: null,
    status: 'STARTED',
    files: null,
    documents: null,
    fields: null,
    fieldErrors: null,
    resultsPath: null,
  };
}

/**
 * The summary of a pipeline or fan-out whose result was `err`: `CANCELLED` or `FAILED`, with the
 * failure type and message; said on stderr too, and the exit code set to 1.
 */
async function failureSummary(
  handle: Pick<WorkflowHandle, 'workflowId' | 'describe'>,
  err: unknown,
  known: RunSummary,
): Promise<RunSummary> {
  const { type, message } = failureOf(err);
  const status = (await handle.describe().catch(() => undefined))?.status.name;
  const summary: RunSummary = {
    ...known,
    status: status === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
    ...(type !== undefined ? { failureType: type } : {}),
    error: message,
  };
  console.error(`hubrun: ${handle.workflowId} ${summary.status}${type ? ` (${type})` : ''}: ${message}`);
  process.exitCode = 1;
  return summary;
}

/** Prints a started pipeline's summary, or with `--wait` watches it and prints how it ended. */
export async function finishPipeline(
  handle: PipelineHandle,
  flags: { wait?: boolean; json?: boolean },
): Promise<void> {
  const started = startedSummary(handle.workflowId);
  if (!flags.wait) {
    if (flags.json) console.log(JSON.stringify(started));
    else console.log(`started ${handle.workflowId}; follow it with: hubrun status ${handle.workflowId}`);
    return;
  }
  if (!flags.json)
    console.error(`waiting for ${handle.workflowId} (Ctrl-C stops watching, not the pipeline)`);
  detachOnInterrupt(handle.workflowId);
  let summary: RunSummary;
  try {
    const result = await watchPipeline(handle, handle.result());
    summary = pipelineSummary(result);
    if (!flags.json) printPipelineResult(result);
  } catch (err) {
    // A closed pipeline answers its progress query by replay: its AI Hub run id, if it got one.
    const progress = await handle.query<PipelineProgress>(PROGRESS_QUERY).catch(() => undefined);
    summary = await failureSummary(handle, err, { ...started, runId: progress?.runId ?? null });
  }
  if (flags.json) console.log(JSON.stringify(summary));
}

/** The `--json` summary of a completed pipeline: `COMPLETED`, also when an earlier worker's result says `COMPLETE`. */
export function pipelineSummary(result: StoredPipelineResult): RunSummary {
  const { workflowId, runId, status, files, documents, fields, fieldErrors, resultsPath } =
    currentPipelineResult(result);
  return { workflowId, runId, status, files, documents, fields, fieldErrors, resultsPath };
}

/** Prints a started fan-out's summary, or with `--wait` watches it and prints how it ended. */
export async function finishFanOut(
  handle: FanOutHandle,
  flags: { wait?: boolean; json?: boolean },
): Promise<void> {
  if (!flags.wait) {
    if (flags.json) console.log(JSON.stringify({ workflowId: handle.workflowId, status: 'STARTED' }));
    else
      console.log(`started fan-out ${handle.workflowId}; follow it with: hubrun status ${handle.workflowId}`);
    return;
  }
  if (!flags.json)
    console.error(`waiting for fan-out ${handle.workflowId} (Ctrl-C stops watching, not the fan-out)`);
  detachOnInterrupt(handle.workflowId);
  let result: FanOutResult;
  try {
    result = await watchFanOut(handle, handle.result());
  } catch (err) {
    // The fan-out itself ended (terminated, cancelled, refused its input): the pipeline's shape.
    const summary = await failureSummary(handle, err, startedSummary(handle.workflowId));
    if (flags.json) console.log(JSON.stringify(summary));
    return;
  }
  const ok = result.failed === 0 && result.cancelled === 0;
  if (flags.json) console.log(JSON.stringify({ ...result, status: ok ? COMPLETED : 'FAILED' }));
  else printFanOutResult(result);
  if (!ok) process.exitCode = 1;
}

/** `user@host` of whoever runs the CLI, for the pipeline's details; a uid without a passwd entry (a container) has no name. */
function caller(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()}`;
}
