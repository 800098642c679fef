/**
 * Operator actions on one schedule (`list`, `describe`, `trigger`, `pause`, `unpause`,
 * `backfill`, `delete`), as plain JSON views. Actions that change a schedule act only on
 * schedules hubrun created.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client, ScheduleDescription, ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import { isManaged, scheduleSet } from './apply';
import { parseBackfillRange } from './backfill-range';
import type { BackfillRange } from './backfill-range';
import type { OverlapName } from './schedule-file';
import { ENTRY_MEMO_KEY, toOverlapPolicy } from './schedule-spec';
import type { EntryMemo } from './schedule-spec';

/** Thrown when a schedule does not exist, or an action would change one hubrun did not create. */
export class ScheduleLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleLookupError';
  }
}

/** One action a schedule took: when it was due, when it was taken, the pipeline it started. */
export interface ScheduleActionView {
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
}

/** A line of `schedule list`. */
export interface ScheduleListing {
  id: string;
  managed: boolean;
  /** The set (schedules file) it belongs to; null when not hubrun's or made by an earlier hubrun. */
  set: string | null;
  paused: boolean;
  note: string | null;
  nextActionAt: string | null;
  lastAction: ScheduleActionView | null;
}

/** What `schedule describe` shows: the schedule as Temporal holds it, and its recent activity. */
export interface ScheduleView {
  id: string;
  managed: boolean;
  /** The set (schedules file) it belongs to; null when not hubrun's or made by an earlier hubrun. */
  set: string | null;
  paused: boolean;
  note: string | null;
  /** The cron expressions as the file wrote them (hubrun schedules only). */
  cron: string[];
  /** The spec as Temporal holds it (cron expressions come back as calendars). */
  calendars: unknown[];
  timeZone: string;
  overlap: string;
  catchupWindowSeconds: number;
  pauseOnFailure: boolean;
  workflowType: string;
  taskQueue: string;
  input: unknown;
  actionsTaken: number;
  actionsSkippedOverlap: number;
  actionsMissedCatchupWindow: number;
  recentActions: ScheduleActionView[];
  runningWorkflowIds: string[];
  nextActionTimes: string[];
  createdAt: string;
  updatedAt: string | null;
}

/** Lists hubrun's schedules (every schedule of the namespace with `all`), by id. */
export async function listSchedules(
  client: Client,
  options: { all?: boolean } = {},
): Promise<ScheduleListing[]> {
  const listings: ScheduleListing[] = [];
  for await (const summary of client.schedule.list()) {
    const managed = isManaged(summary);
    if (!managed && !options.all) continue;
    const last = summary.info.recentActions.at(-1);
    listings.push({
      id: summary.scheduleId,
      managed,
      set: scheduleSet(summary),
      paused: summary.state.paused,
      note: summary.state.note ?? null,
      nextActionAt: summary.info.nextActionTimes[0]?.toISOString() ?? null,
      lastAction: last ? actionView(last) : null,
    });
  }
  return listings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Describes one schedule (any schedule: describing changes nothing). */
export async function describeSchedule(client: Client, id: string): Promise<ScheduleView> {
  return viewOf(await describe(client, id));
}

/**
 * Starts the schedule's action now (overlap `allow_all` unless given) and waits up to `waitMs`
 * for it to show; returns the started pipeline's workflow id, or null when none showed in time
 * (another overlap policy may have skipped it).
 */
export async function triggerSchedule(
  client: Client,
  id: string,
  options: { overlap?: OverlapName; waitMs?: number } = {},
): Promise<string | null> {
  const { handle, description } = await managed(client, id);
  const seen = new Set(description.info.recentActions.map((a) => a.action.workflow.workflowId));
  await handle.trigger(options.overlap ? toOverlapPolicy(options.overlap) : undefined);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (;;) {
    const now = await handle.describe();
    const started = now.info.recentActions.find((a) => !seen.has(a.action.workflow.workflowId));
    if (started) return started.action.workflow.workflowId;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Takes the actions the schedule would have taken between `from` and `to` (both included), read
 * in its time zone; `overlap` decides how they run against each other. @default overlap 'buffer_all' (one after another)
 */
export async function backfillSchedule(
  client: Client,
  id: string,
  options: { from: string; to: string; overlap?: OverlapName },
): Promise<BackfillRange> {
  const { handle, description } = await managed(client, id);
  const range = parseBackfillRange(options.from, options.to, description.spec.timezone ?? 'UTC');
  const overlap: ScheduleOverlapPolicy = toOverlapPolicy(options.overlap ?? 'buffer_all');
  await handle.backfill({ start: range.start, end: range.end, overlap });
  return range;
}

/** Pauses a hubrun schedule; the note says why. */
export async function pauseSchedule(client: Client, id: string, note?: string): Promise<void> {
  const { handle } = await managed(client, id);
  await handle.pause(note ?? 'paused with hubrun schedule pause');
}

/** Resumes a paused hubrun schedule. */
export async function unpauseSchedule(client: Client, id: string, note?: string): Promise<void> {
  const { handle } = await managed(client, id);
  await handle.unpause(note ?? 'unpaused with hubrun schedule unpause');
}

/** Deletes a hubrun schedule (pipelines it started run on); the next apply recreates it if the file still lists it. */
export async function deleteSchedule(client: Client, id: string): Promise<void> {
  const { handle } = await managed(client, id);
  await handle.delete();
}

async function describe(client: Client, id: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new ScheduleLookupError(`no schedule "${id}" in this namespace`);
    throw err;
  }
}

async function managed(
  client: Client,
  id: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const description = await describe(client, id);
  if (!isManaged(description)) {
    throw new ScheduleLookupError(
      `schedule "${id}" was not created by hubrun; change it with the Temporal UI or CLI instead`,
    );
  }
  return { handle: client.schedule.getHandle(id), description };
}

function actionView(action: ScheduleDescription['info']['recentActions'][number]): ScheduleActionView {
  return {
    scheduledAt: action.scheduledAt.toISOString(),
    takenAt: action.takenAt.toISOString(),
    workflowId: action.action.workflow.workflowId,
  };
}

function viewOf(d: ScheduleDescription): ScheduleView {
  const memo = d.action.memo?.[ENTRY_MEMO_KEY] as Partial<EntryMemo> | undefined;
  return {
    id: d.scheduleId,
    managed: isManaged(d),
    set: scheduleSet(d),
    paused: d.state.paused,
    note: d.state.note ?? null,
    cron: memo?.cron ?? [],
    calendars: d.spec.calendars ?? [],
    timeZone: d.spec.timezone ?? 'UTC',
    overlap: String(d.policies.overlap).toLowerCase(),
    catchupWindowSeconds: d.policies.catchupWindow / 1000,
    pauseOnFailure: d.policies.pauseOnFailure,
    workflowType: d.action.workflowType,
    taskQueue: d.action.taskQueue,
    input: d.action.args?.[0] ?? null,
    actionsTaken: d.info.numActionsTaken,
    actionsSkippedOverlap: d.info.numActionsSkippedOverlap,
    actionsMissedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    recentActions: d.info.recentActions.map(actionView),
    runningWorkflowIds: d.info.runningActions.map((a) => a.workflow.workflowId),
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    createdAt: d.info.createdAt.toISOString(),
    updatedAt: d.info.lastUpdatedAt?.toISOString() ?? null,
  };
}
