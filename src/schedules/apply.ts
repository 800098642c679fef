/**
 * `hubrun schedule apply`: makes the namespace's schedules of one set (the file's `set`) match a
 * schedules file. Missing entries are created, changed ones updated, unchanged ones left alone
 * (no update is sent), and schedules of the set that the file no longer lists are deleted.
 * Schedules of other sets, schedules hubrun did not create, and schedules of earlier hubrun
 * versions (no set: they cannot be attributed) are never deleted; an entry whose id a schedule of
 * another set or a schedule hubrun did not create holds stops the apply before anything changes.
 * An entry whose id a schedule of no set holds adopts it: the schedule is recreated in the set.
 */
import { isDeepStrictEqual } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client, ScheduleDescription } from '@temporalio/client';
import type { ScheduleFile } from './schedule-file';
import { compileSchedule, ENTRY_MEMO_KEY, MANAGED_MEMO_KEY, SET_MEMO_KEY } from './schedule-spec';
import type { CompiledSchedule, EntryMemo, ScheduleTarget } from './schedule-spec';

/**
 * What `apply` did (or, in a dry run, would do) to one schedule; `adopted`: a schedule of an
 * earlier hubrun (no set) that an entry names, recreated in the file's set.
 */
export type ScheduleChangeKind = 'created' | 'updated' | 'unchanged' | 'deleted' | 'adopted';

/** One line of an apply: the schedule, what happened, and for updates the fields that changed. */
export interface ScheduleChange {
  id: string;
  change: ScheduleChangeKind;
  /** Entry fields (or live settings) that differ, for `updated`. */
  fields: string[];
}

/** An entry id held by a schedule the file may not change: of another set, or not hubrun's (`set` null). */
export interface ScheduleConflict {
  id: string;
  set: string | null;
}

/** Thrown before anything changes when an entry's id belongs to another set or to a schedule hubrun did not create. */
export class ScheduleConflictError extends Error {
  /** The entry ids at fault. */
  readonly ids: string[];

  constructor(readonly conflicts: ScheduleConflict[]) {
    super(
      `${conflicts.map(describeConflict).join('; ')}; rename the entries, or remove them from ` +
        'where they belong first; nothing applied',
    );
    this.name = 'ScheduleConflictError';
    this.ids = conflicts.map((c) => c.id);
  }
}

function describeConflict({ id, set }: ScheduleConflict): string {
  return set === null
    ? `schedule ${id} already exists and hubrun did not create it`
    : `schedule ${id} belongs to set ${set} (another schedules file)`;
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

/** The set a hubrun schedule belongs to; null for other schedules and those of earlier hubrun versions. */
export function scheduleSet(schedule: { memo?: Record<string, unknown> }): string | null {
  const set = schedule.memo?.[SET_MEMO_KEY];
  return isManaged(schedule) && typeof set === 'string' ? set : null;
}

/**
 * Ids of the hubrun schedules in the namespace, of set `set` only when given (from the
 * visibility store, so eventually consistent).
 */
export async function managedScheduleIds(client: Client, set?: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary) && (set === undefined || scheduleSet(summary) === set)) {
      ids.push(summary.scheduleId);
    }
  }
  return ids.sort();
}

/** Makes the namespace's schedules of the file's set match `file`; returns one change per entry and deleted schedule. */
export async function applySchedules(
  client: Client,
  file: ScheduleFile,
  options: ApplyOptions,
): Promise<ScheduleChange[]> {
  const target: ScheduleTarget = { taskQueue: options.taskQueue };
  const compiled = file.schedules.map((entry) => compileSchedule(entry, target, file.set));
  const planned: { change: ScheduleChange; compiled?: CompiledSchedule }[] = [];
  const conflicts: ScheduleConflict[] = [];

  for (const schedule of compiled) {
    const current = await describeOrUndefined(client, schedule.id);
    const set = current === undefined ? null : scheduleSet(current);
    if (current === undefined) {
      planned.push({ change: { id: schedule.id, change: 'created', fields: [] }, compiled: schedule });
    } else if (!isManaged(current)) {
      conflicts.push({ id: schedule.id, set: null });
    } else if (set === null) {
      // An earlier hubrun's schedule: its memo cannot change, so it is recreated in the set.
      planned.push({ change: { id: schedule.id, change: 'adopted', fields: [] }, compiled: schedule });
    } else if (set !== file.set) {
      conflicts.push({ id: schedule.id, set });
    } else {
      const fields = changedFields(current, schedule);
      const change = fields.length > 0 ? 'updated' : 'unchanged';
      planned.push({ change: { id: schedule.id, change, fields }, compiled: schedule });
    }
  }
  if (conflicts.length > 0) throw new ScheduleConflictError(conflicts);
  const wanted = new Set(compiled.map((s) => s.id));
  for (const id of await managedScheduleIds(client, file.set)) {
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
  } else if (change.change === 'adopted' && schedule) {
    await handle.delete();
    await client.schedule.create(schedule.options);
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
