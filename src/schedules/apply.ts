/**
 * `hubrun schedule apply`: makes the namespace's hubrun schedules match a schedules file.
 * Missing entries are created, changed ones updated, unchanged ones left alone (no update is
 * sent), and schedules hubrun created that the file no longer lists are deleted. Schedules
 * hubrun did not create are never touched; an entry whose id one of them holds stops the apply
 * before anything changes.
 */
import { isDeepStrictEqual } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client, ScheduleDescription } from '@temporalio/client';
import type { ScheduleFile } from './schedule-file';
import { compileSchedule, ENTRY_MEMO_KEY, MANAGED_MEMO_KEY } from './schedule-spec';
import type { CompiledSchedule, EntryMemo, ScheduleTarget } from './schedule-spec';

/** What `apply` did (or, in a dry run, would do) to one schedule. */
export type ScheduleChangeKind = 'created' | 'updated' | 'unchanged' | 'deleted';

/** One line of an apply: the schedule, what happened, and for updates the fields that changed. */
export interface ScheduleChange {
  id: string;
  change: ScheduleChangeKind;
  /** Entry fields (or live settings) that differ, for `updated`. */
  fields: string[];
}

/** Thrown before anything changes when an entry's id belongs to a schedule hubrun did not create. */
export class ScheduleConflictError extends Error {
  constructor(readonly ids: string[]) {
    super(
      `schedule${ids.length === 1 ? '' : 's'} ${ids.join(', ')} already exist${ids.length === 1 ? 's' : ''} ` +
        'and hubrun did not create them; rename the entries or delete those schedules; nothing applied',
    );
    this.name = 'ScheduleConflictError';
  }
}

/** Options of {@link applySchedules}. */
export interface ApplyOptions extends ScheduleTarget {
  /** Work out and report the changes without making them. */
  dryRun?: boolean;
  /** Called as each change is made (or planned, in a dry run), for live output. */
  onChange?: (change: ScheduleChange) => void;
}

/** Whether a schedule (summary or description) was created by hubrun. */
export function isManaged(schedule: { memo?: Record<string, unknown> }): boolean {
  return schedule.memo?.[MANAGED_MEMO_KEY] === true;
}

/** Ids of every hubrun schedule in the namespace (from the visibility store, so eventually consistent). */
export async function managedScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary)) ids.push(summary.scheduleId);
  }
  return ids.sort();
}

/** Makes the namespace's hubrun schedules match `file`; returns one change per entry and deleted schedule. */
export async function applySchedules(
  client: Client,
  file: ScheduleFile,
  options: ApplyOptions,
): Promise<ScheduleChange[]> {
  const target: ScheduleTarget = { taskQueue: options.taskQueue };
  const compiled = file.schedules.map((entry) => compileSchedule(entry, target));
  const planned: { change: ScheduleChange; compiled?: CompiledSchedule }[] = [];
  const conflicts: string[] = [];

  for (const schedule of compiled) {
    const current = await describeOrUndefined(client, schedule.id);
    if (current === undefined) {
      planned.push({ change: { id: schedule.id, change: 'created', fields: [] }, compiled: schedule });
    } else if (!isManaged(current)) {
      conflicts.push(schedule.id);
    } else {
      const fields = changedFields(current, schedule);
      const change = fields.length > 0 ? 'updated' : 'unchanged';
      planned.push({ change: { id: schedule.id, change, fields }, compiled: schedule });
    }
  }
  if (conflicts.length > 0) throw new ScheduleConflictError(conflicts);
  const wanted = new Set(compiled.map((s) => s.id));
  for (const id of await managedScheduleIds(client)) {
    if (!wanted.has(id)) planned.push({ change: { id, change: 'deleted', fields: [] } });
  }

  const done: ScheduleChange[] = [];
  for (const { change, compiled: schedule } of planned) {
    if (!options.dryRun) await carryOut(client, change, schedule);
    done.push(change);
    options.onChange?.(change);
  }
  return done;
}

async function carryOut(client: Client, change: ScheduleChange, schedule?: CompiledSchedule): Promise<void> {
  const handle = client.schedule.getHandle(change.id);
  if (change.change === 'deleted') {
    await handle.delete();
  } else if (change.change === 'created' && schedule) {
    await client.schedule.create(schedule.options);
  } else if (change.change === 'updated' && schedule) {
    const { spec, action, policies, state } = schedule.options;
    await handle.update(() => ({ spec, action, policies, state: state ?? {} }));
  }
}

async function describeOrUndefined(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The entry fields that differ from what the last apply wrote (from the hashes in the action's
 * memo), plus live settings changed by other means (`taskQueue` from the configuration, or an
 * edit outside hubrun of the input, policies or time zone).
 */
function changedFields(current: ScheduleDescription, desired: CompiledSchedule): string[] {
  const applied = current.action.memo?.[ENTRY_MEMO_KEY] as Partial<EntryMemo> | undefined;
  const changed = new Set<string>();
  const appliedFields = applied?.fields ?? {};
  for (const key of new Set([...Object.keys(appliedFields), ...Object.keys(desired.memo.fields)])) {
    if (appliedFields[key] !== desired.memo.fields[key]) changed.add(key);
  }
  const { action, policies, spec } = desired.options;
  const live: [string, boolean][] = [
    ['taskQueue', current.action.taskQueue === action.taskQueue],
    ['workflowType', current.action.workflowType === action.workflowType],
    ['input', isDeepStrictEqual(current.action.args, action.args)],
    ['timeZone', (current.spec.timezone ?? 'UTC') === spec.timezone],
    ['overlap', current.policies.overlap === policies?.overlap],
    ['catchupWindow', current.policies.catchupWindow === policies?.catchupWindow],
    ['pauseOnFailure', current.policies.pauseOnFailure === policies?.pauseOnFailure],
  ];
  for (const [field, same] of live) if (!same) changed.add(field);
  if (applied?.hash !== desired.memo.hash && changed.size === 0) changed.add('entry');
  return [...changed].sort();
}
