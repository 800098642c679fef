/**
 * `hubrun schedule …`: Temporal Schedules declared in a YAML file (`apply`), and the operator
 * actions on one schedule (`list`, `describe`, `trigger`, `pause`, `unpause`, `backfill`,
 * `delete`). A bad file or bad flags throw {@link UsageError} before anything is changed.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client';
import { loadClientConfig } from '../config';
import { WorkflowId } from '../pipeline-input';
import {
  applySchedules,
  BackfillRangeError,
  backfillSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  loadScheduleFile,
  overlapPolicies,
  pauseSchedule,
  ScheduleFileError,
  triggerSchedule,
  unpauseSchedule,
} from '../schedules';
import type { OverlapName, ScheduleChange, ScheduleListing, ScheduleView } from '../schedules';
import { UsageError } from './usage-error';

/** A Temporal client for one command, and where scheduled pipelines go. */
export interface ScheduleSession {
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

/** How the schedule commands reach Temporal; the default reads the configuration (environment). */
export interface ScheduleCommandContext {
  connect(): Promise<ScheduleSession>;
}

/** Connects as `src/config.ts` says (TEMPORAL_*, HUBRUN_TASK_QUEUE). */
export const configuredScheduleContext: ScheduleCommandContext = {
  async connect() {
    const config = loadClientConfig();
    const client = await connectClient(config);
    return { client, taskQueue: config.taskQueue, close: () => client.connection.close() };
  },
};

/** Adds `schedule` and its subcommands to `cli`. */
export function addScheduleCommands(
  cli: Command,
  context: ScheduleCommandContext = configuredScheduleContext,
): Command {
  const schedule = cli
    .command('schedule')
    .description(
      'Temporal Schedules that start pipelines, declared in a YAML file (examples/schedules.yaml)',
    );

  const withSession = async <T>(fn: (session: ScheduleSession) => Promise<T>): Promise<T> => {
    const session = await context.connect();
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  };
  const overlapOption = (what: string, fallback: OverlapName): Option =>
    new Option('--overlap <policy>', what).choices(overlapPolicies).default(fallback);

  schedule
    .command('apply')
    .description(
      "make the namespace's schedules of FILE's set match it: create, update and delete (other sets' schedules, and schedules hubrun did not create, are never touched)",
    )
    .argument('<file>', 'the schedules file (YAML)')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--json', 'print the changes as one JSON array')
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean }) => {
      const parsed = await loadScheduleFile(file).catch((err: unknown) => {
        throw err instanceof ScheduleFileError ? new UsageError(err.message) : err;
      });
      const changes = await withSession((session) =>
        applySchedules(session.client, parsed, {
          taskQueue: session.taskQueue,
          dryRun: opts.dryRun === true,
          onChange: opts.json ? undefined : (change) => console.log(changeLine(change, opts.dryRun === true)),
        }),
      );
      if (opts.json) console.log(JSON.stringify(changes));
    });

  schedule
    .command('list')
    .description("list hubrun's schedules: set, state, next action, last pipeline started")
    .option('--all', 'also list schedules hubrun did not create')
    .option('--json', 'print one JSON array')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const listings = await withSession(({ client }) => listSchedules(client, { all: opts.all === true }));
      if (opts.json) console.log(JSON.stringify(listings));
      else printListings(listings);
    });

  schedule
    .command('describe')
    .description('show one schedule: spec, policies, pipeline input, recent and next actions')
    .argument('<id>', 'schedule id')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withSession(({ client }) => describeSchedule(client, checkId(id)));
      if (opts.json) console.log(JSON.stringify(view));
      else printView(view);
    });

  schedule
    .command('trigger')
    .description("start the schedule's pipeline now; {date} is today's date in its time zone")
    .argument('<id>', 'schedule id')
    .addOption(overlapOption('how it runs against a pipeline of the schedule still running', 'allow_all'))
    .option('--json', 'print {"scheduleId", "workflowId"}')
    .action(async (id: string, opts: { overlap: OverlapName; json?: boolean }) => {
      const workflowId = await withSession(({ client }) =>
        triggerSchedule(client, checkId(id), { overlap: opts.overlap }),
      );
      if (opts.json) console.log(JSON.stringify({ scheduleId: id, workflowId }));
      else if (workflowId !== null) console.log(`triggered ${id}: started pipeline ${workflowId}`);
      else console.log(`triggered ${id}: no pipeline started yet (see hubrun schedule describe ${id})`);
    });

  schedule
    .command('pause')
    .description(
      'pause a schedule: no actions until unpaused (the next apply that changes its entry sets `paused` from the file)',
    )
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'why, shown with the schedule')
    .action(async (id: string, opts: { note?: string }) => {
      await withSession(({ client }) => pauseSchedule(client, checkId(id), opts.note));
      console.log(`paused ${id}`);
    });

  schedule
    .command('unpause')
    .description('resume a paused schedule (missed actions within the catch-up window run)')
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'why, shown with the schedule')
    .action(async (id: string, opts: { note?: string }) => {
      await withSession(({ client }) => unpauseSchedule(client, checkId(id), opts.note));
      console.log(`unpaused ${id}`);
    });

  schedule
    .command('backfill')
    .description('take the actions due between --from and --to (both included) now, each with its own {date}')
    .argument('<id>', 'schedule id')
    .requiredOption(
      '--from <time>',
      "a day (2026-11-01) or local time (2026-11-01T02:00) in the schedule's time zone, or an instant (…Z)",
    )
    .requiredOption('--to <time>', 'as --from; a day includes the whole day')
    .addOption(overlapOption('how the backfilled pipelines run against each other', 'buffer_all'))
    .option('--json', 'print {"scheduleId", "start", "end"}')
    .action(async (id: string, opts: { from: string; to: string; overlap: OverlapName; json?: boolean }) => {
      const range = await withSession(({ client }) =>
        backfillSchedule(client, checkId(id), opts).catch((err: unknown) => {
          throw err instanceof BackfillRangeError ? new UsageError(err.message) : err;
        }),
      );
      const start = range.start.toISOString();
      const end = range.end.toISOString();
      if (opts.json) console.log(JSON.stringify({ scheduleId: id, start, end }));
      else
        console.log(
          `backfilling ${id} from ${start} to ${end} (${opts.overlap}); see hubrun schedule describe ${id}`,
        );
    });

  schedule
    .command('delete')
    .description(
      'delete a hubrun schedule; pipelines it started run on (apply recreates it if the file still lists it)',
    )
    .argument('<id>', 'schedule id')
    .action(async (id: string) => {
      await withSession(({ client }) => deleteSchedule(client, checkId(id)));
      console.log(`deleted ${id}`);
    });

  return schedule;
}

function checkId(id: string): string {
  const checked = WorkflowId.safeParse(id);
  if (!checked.success)
    throw new UsageError(`schedule id "${id}": ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return id;
}

function changeLine(change: ScheduleChange, dryRun: boolean): string {
  const fields = change.fields.length > 0 ? ` (${change.fields.join(', ')})` : '';
  return `${(dryRun && change.change !== 'unchanged' ? `would be ${change.change}` : change.change).padEnd(10)} ${change.id}${fields}`;
}

function printListings(listings: ScheduleListing[]): void {
  if (listings.length === 0) {
    console.log('no hubrun schedules (hubrun schedule apply FILE creates them)');
    return;
  }
  const rows = [
    ['ID', 'SET', 'STATE', 'NEXT ACTION', 'LAST PIPELINE'],
    ...listings.map((l) => [
      l.managed ? l.id : `${l.id} (not hubrun's)`,
      l.set ?? (l.managed ? '- (no set)' : '-'),
      l.paused ? 'paused' : 'active',
      l.nextActionAt ?? '-',
      l.lastAction?.workflowId ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    );
}

function printView(view: ScheduleView): void {
  const lines: [string, string][] = [
    ['schedule', `${view.id}${view.managed ? '' : " (not hubrun's)"}`],
    [
      'set',
      view.set ?? (view.managed ? '- (made by an earlier hubrun; a file that lists it adopts it)' : '-'),
    ],
    ['state', `${view.paused ? 'paused' : 'active'}${view.note ? ` (${view.note})` : ''}`],
    [
      'spec',
      `${view.cron.length > 0 ? `cron ${view.cron.join(' | ')}` : `${view.calendars.length} calendar spec(s)`} in ${view.timeZone}`,
    ],
    [
      'policies',
      `overlap ${view.overlap}, catch-up window ${view.catchupWindowSeconds} s, pause on failure ${view.pauseOnFailure ? 'yes' : 'no'}`,
    ],
    ['starts', `${view.workflowType} on task queue ${view.taskQueue}`],
    ['input', JSON.stringify(view.input)],
    [
      'actions',
      `${view.actionsTaken} taken, ${view.actionsSkippedOverlap} skipped (overlap), ${view.actionsMissedCatchupWindow} missed (catch-up window)`,
    ],
    ['running', view.runningWorkflowIds.join(', ') || '-'],
    ['next', view.nextActionTimes.slice(0, 3).join(', ') || '-'],
  ];
  for (const [label, value] of lines) console.log(`${label.padEnd(9)} ${value}`);
  for (const action of view.recentActions)
    console.log(`recent    ${action.scheduledAt}  ${action.workflowId}`);
}
