/**
 * `hubrun status | results | cancel | list`: operators' view of pipelines and fan-outs, whoever
 * started them (the CLI, a schedule, another service). Each takes `--json` for scripts.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { loadClientConfig } from '../client-config';
import {
  cancelPipeline,
  connectClient,
  getFanOutProgress,
  getPipeline,
  getProgress,
  pipelineResult,
} from '../pipeline-handles';
import type { FanOutWorkflow } from '../pipeline-handles';
import { failureOf } from '../failure-types';
import { workflowTypes } from '../names';
import { searchAttributes } from '../search-attributes';
import type { FanOutResult, PipelineResult } from '../results';
import { printFanOutResult, printPipelineResult } from './print-results';
import { fanOutLine, formatSeconds } from './watch';

/** Adds `status`, `results`, `cancel` and `list` to the CLI. */
export function addInspectCommands(cli: Command): void {
  cli
    .command('status')
    .description('where a pipeline or fan-out is: phase, AI Hub status, checks, next check, last error')
    .argument('<id>', 'workflow id')
    .option('--json', 'print JSON')
    .action((id: string, flags: { json?: boolean }) => withClient((client) => status(client, id, flags)));

  cli
    .command('results')
    .description('the summary of a finished pipeline (counts, results and manifest paths) or fan-out')
    .argument('<id>', 'workflow id')
    .option('--json', 'print JSON')
    .action((id: string, flags: { json?: boolean }) => withClient((client) => results(client, id, flags)));

  cli
    .command('cancel')
    .description('cancel a running pipeline (its onCancel policy applies) or fan-out (and its children)')
    .argument('<id>', 'workflow id')
    .action((id: string) => withClient((client) => cancel(client, id)));

  cli
    .command('list')
    .description('pipelines and fan-outs, newest first, optionally filtered by a list query')
    .option(
      '--query <q>',
      `a Temporal list query, e.g. "AihubRunStatus='STOPPED_AT_CHECKPOINT'" or "ExecutionStatus='Failed'"`,
    )
    .option('--limit <n>', 'at most this many (default 20)', positiveInteger, 20)
    .option('--json', 'print one JSON object per line')
    .action((flags: { query?: string; limit: number; json?: boolean }) =>
      withClient((client) => list(client, flags)),
    );
}

function positiveInteger(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new InvalidArgumentError('expected a positive whole number');
  return Number(text);
}

async function withClient(fn: (client: Client) => Promise<void>): Promise<void> {
  const client = await connectClient(loadClientConfig());
  try {
    await fn(client);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new Error(`no pipeline or fan-out with id ${err.workflowId} in this namespace`);
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

const isFanOut = (d: WorkflowExecutionDescription): boolean => d.type === workflowTypes.fanOut;

async function status(client: Client, id: string, flags: { json?: boolean }): Promise<void> {
  const handle = getPipeline(client, id);
  const description = await handle.describe();
  const head = {
    workflowId: id,
    type: description.type,
    workflowStatus: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString() ?? null,
  };
  if (isFanOut(description)) {
    const progress =
      description.status.name === 'RUNNING'
        ? await getFanOutProgress(client.workflow.getHandle<FanOutWorkflow>(id))
        : null;
    if (flags.json) return void console.log(JSON.stringify({ ...head, progress }));
    console.log(`fan-out    ${id}  ${head.workflowStatus}  started ${head.startTime}`);
    if (progress) console.log(`children   ${fanOutLine(progress).text.replace(/^children /, '')}`);
    else console.log(`results    hubrun results ${id}`);
    return;
  }
  const p = await getProgress(handle, description);
  const aihubRunUrl = (description.memo?.aihubRunUrl as string | undefined) ?? null;
  if (flags.json) return void console.log(JSON.stringify({ ...head, aihubRunUrl, progress: p }));
  const now = Date.now();
  const lines: [string, string | null][] = [
    ['pipeline', `${id}  ${head.workflowStatus}  started ${head.startTime}`],
    ['phase', p.phase],
    ['AI Hub run', p.runId && `${p.runId}  ${p.remoteStatus ?? ''}${aihubRunUrl ? `  ${aihubRunUrl}` : ''}`],
    ['batch', p.batchId !== null ? String(p.batchId) : null],
    [
      'checks',
      `${p.checks}${p.waitingSince ? ` since ${p.waitingSince}` : ''}` +
        (p.nextCheckAt && Date.parse(p.nextCheckAt) > now
          ? `, next in ${formatSeconds((Date.parse(p.nextCheckAt) - now) / 1000)}`
          : ''),
    ],
    ['plan', p.plan ?? null],
    ['files', `${p.filesUploaded} uploaded, ${p.filesPaged} paged`],
    ['last error', p.lastError],
  ];
  for (const [label, value] of lines) if (value) console.log(`${label.padEnd(11)}${value}`);
}

async function results(client: Client, id: string, flags: { json?: boolean }): Promise<void> {
  const handle = getPipeline(client, id);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') {
    throw new Error(`${id} is still running (hubrun status ${id}); its results come when it completes`);
  }
  let result: PipelineResult | FanOutResult;
  try {
    result = isFanOut(description)
      ? await client.workflow.getHandle<FanOutWorkflow>(id).result()
      : await pipelineResult(handle);
  } catch (err) {
    const { type, message } = failureOf(err);
    throw new Error(`${id} ended ${description.status.name}${type ? ` (${type})` : ''}: ${message}`);
  }
  if (flags.json) return void console.log(JSON.stringify(result));
  if ('outcomes' in result) printFanOutResult(result);
  else printPipelineResult(result);
}

async function cancel(client: Client, id: string): Promise<void> {
  const handle = getPipeline(client, id);
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') {
    throw new Error(`${id} is not running (it is ${description.status.name}); nothing to cancel`);
  }
  await cancelPipeline(handle);
  console.log(
    isFanOut(description)
      ? `cancel requested: ${id} and its running children (each applies its onCancel policy)`
      : `cancel requested: ${id} (its onCancel policy applies to the AI Hub run)`,
  );
}

async function list(client: Client, flags: { query?: string; limit: number; json?: boolean }): Promise<void> {
  const types = `WorkflowType IN ('${workflowTypes.pipeline}', '${workflowTypes.fanOut}')`;
  const query = flags.query ? `${types} AND (${flags.query})` : types;
  let shown = 0;
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(flags.limit, 100) })) {
    const attrs = wf.typedSearchAttributes;
    const row = {
      workflowId: wf.workflowId,
      type: wf.type,
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
      phase: attrs.get(searchAttributes.phase) ?? null,
      aihubRunId: attrs.get(searchAttributes.runId) ?? null,
      aihubRunStatus: attrs.get(searchAttributes.runStatus) ?? null,
    };
    if (flags.json) console.log(JSON.stringify(row));
    else {
      if (shown === 0)
        console.log(
          ['WORKFLOW ID'.padEnd(44), 'STATUS'.padEnd(10), 'PHASE'.padEnd(16), 'AI HUB', 'STARTED'].join(' '),
        );
      console.log(
        [
          wf.workflowId.padEnd(44),
          row.status.padEnd(10),
          (row.type === workflowTypes.fanOut ? 'fan-out' : (row.phase ?? '-')).padEnd(16),
          `${row.aihubRunId ?? '-'} ${row.aihubRunStatus ?? ''}`.trim(),
          row.startTime,
        ].join(' '),
      );
    }
    if (++shown >= flags.limit) break;
  }
  if (shown === 0 && !flags.json) console.error('no pipelines match');
}
