/**
 * `hubrun audit [--since T] [--json] [--delete [--yes]]`: starts the `aihubAudit` workflow (the
 * worker holds the AI Hub token, the CLI does not), waits for its report and prints it as a
 * table or one JSON object. `--delete` removes the orphaned runs' data: after showing them and a
 * confirmation on a terminal, or at once with `--yes`.
 */
import { createInterface } from 'node:readline/promises';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { auditSinceSeconds, auditWorkflowId, durationSeconds } from '../audit';
import type { AuditInput, AuditReport } from '../audit';
import { connectClient } from '../client';
import { loadClientConfig } from '../config';
import { workflowTypes } from '../names';
import { UsageError } from './usage-error';

/** Flags of `hubrun audit`. */
interface AuditFlags {
  since: string;
  recent: string;
  json?: boolean;
  delete?: boolean;
  yes?: boolean;
}

/** Adds `hubrun audit` to the program. */
export function addAuditCommand(cli: Command): void {
  cli
    .command('audit')
    .description(
      "sort AI Hub runs with hubrun's tag into owned (open pipeline), delivered (closed one), orphaned and recent; --delete removes the orphans' data",
    )
    .option('--since <T>', 'runs started since a duration ago (90m, 12h, 2d) or an ISO time', '1d')
    .option(
      '--recent <D>',
      'runs younger than this are "recent", not judged (visibility lags a little)',
      '5m',
    )
    .option('--json', 'print one JSON report on stdout and nothing else')
    .option('--delete', "delete the orphaned runs' data, after a confirmation")
    .option('--yes', 'with --delete: no confirmation (scripts, schedules)')
    .action((flags: AuditFlags) => auditCommand(flags));
}

async function auditCommand(flags: AuditFlags): Promise<void> {
  const sinceSeconds = auditSinceSeconds(flags.since, Date.now());
  if (sinceSeconds === null) {
    throw new UsageError(
      `--since: expected a duration such as 12h or 2d, or an ISO time (got ${flags.since})`,
    );
  }
  const recentSeconds = durationSeconds(flags.recent);
  if (recentSeconds === null)
    throw new UsageError(`--recent: expected a duration such as 5m (got ${flags.recent})`);
  if (flags.yes && !flags.delete) throw new UsageError('--yes goes with --delete');
  const confirm = flags.delete === true && flags.yes !== true;
  if (confirm && !(process.stdin.isTTY && process.stderr.isTTY)) {
    throw new UsageError('--delete asks for a confirmation on a terminal; give --yes to delete without one');
  }
  const config = loadClientConfig();
  const client = await connectClient(config);
  try {
    const audit = (input: AuditInput): Promise<AuditReport> =>
      runAudit(client, config.taskQueue, { ...input, recentSeconds });
    let report = await audit({ sinceSeconds, delete: flags.delete === true && !confirm });
    if (confirm) {
      printReport(report, false);
      if (report.counts.orphaned === 0) return;
      if (!(await confirmed(`delete the data of ${report.counts.orphaned} orphaned run(s)? [y/N] `))) {
        console.error('nothing deleted');
        return;
      }
      report = await audit({ sinceSeconds, delete: true });
    }
    printReport(report, flags.json === true);
  } finally {
    await client.connection.close();
  }
}

/** Runs one audit on the worker's task queue and answers its report. */
function runAudit(client: Client, taskQueue: string, input: AuditInput): Promise<AuditReport> {
  return client.workflow.execute<(args: AuditInput) => Promise<AuditReport>>(workflowTypes.audit, {
    taskQueue,
    workflowId: auditWorkflowId(Date.now()),
    args: [input],
  });
}

async function confirmed(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Prints the report: one JSON object on stdout, or a table and the counts. */
function printReport(report: AuditReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  const header = ['VERDICT', 'RUN', 'AI HUB', 'STARTED', 'PIPELINE'];
  const lines = report.rows.map((r) => [
    r.verdict + (r.deleted ? ' (deleted)' : ''),
    r.runId,
    r.status,
    r.startedAt ?? '-',
    r.workflowId === null ? '-' : `${r.workflowId} (${r.workflowStatus ?? '?'})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const line of [header, ...lines]) {
    console.log(
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  if (report.more > 0) console.log(`… and ${report.more} more (see --json counts)`);
  const { owned, delivered, orphaned, recent } = report.counts;
  console.log(
    `since ${new Date(report.sinceSeconds * 1000).toISOString()}: ${owned} owned, ${delivered} delivered, ` +
      `${orphaned} orphaned, ${recent} recent, ${report.untagged} without hubrun's tag; ${report.deleted} deleted`,
  );
}
