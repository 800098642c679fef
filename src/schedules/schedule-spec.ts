/**
 * Turns a checked schedules-file entry into Temporal `ScheduleOptions`: a spec in the entry's
 * time zone, policies, and an action that starts the pipeline workflow with the entry's input.
 * The action's memo carries a hash of every entry field, so `apply` can tell what changed
 * without rewriting schedules that did not (a schedule's own memo cannot be updated).
 */
import { createHash } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { CalendarSpec, ScheduleOptions, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { DEFAULT_AUDIT_WINDOW_SECONDS } from '../audit';
import type { AuditInput } from '../audit';
import { pipelineDetails, pipelineSummary } from '../pipeline-summary';
import { workflowTypes } from '../names';
import type { CalendarSpecEntry, OverlapName, ScheduleEntry } from './schedule-file';

/** Schedule memo key that marks a schedule as created by `hubrun schedule apply`; others are never touched. */
export const MANAGED_MEMO_KEY = 'hubrun';

/**
 * Schedule memo key naming the set (the schedules file's `set`) a schedule belongs to; `apply`
 * changes only its own set's schedules. Schedules of earlier hubrun versions have none.
 */
export const SET_MEMO_KEY = 'hubrunSet';

/** Memo key, on the schedule's action (and so on every pipeline it starts), naming the entry it came from. */
export const ENTRY_MEMO_KEY = 'hubrunSchedule';

/** What {@link ENTRY_MEMO_KEY} holds: the entry id, its cron expressions, and hashes of its fields. */
export interface EntryMemo {
  id: string;
  /** The cron expressions as written (Temporal describes them back as calendar specs). */
  cron: string[];
  /** Hash of the whole entry and target. */
  hash: string;
  /** Short hash of each entry field, to say which ones an update changes. */
  fields: Record<string, string>;
}

/** Where a schedule's actions go. */
export interface ScheduleTarget {
  taskQueue: string;
}

/** An entry ready for Temporal. */
export interface CompiledSchedule {
  id: string;
  memo: EntryMemo;
  options: ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>>;
}

const overlapPolicy: Record<OverlapName, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  terminate_other: ScheduleOverlapPolicy.TERMINATE_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

/** Temporal's overlap policy for a name of the file (`buffer_one` → `BUFFER_ONE`). */
export function toOverlapPolicy(name: OverlapName): ScheduleOverlapPolicy {
  return overlapPolicy[name];
}

/** The pipeline input a schedule passes: the entry's, with `dateTimeZone` set to its time zone. */
export function scheduledInput(entry: ScheduleEntry): Record<string, unknown> {
  if (entry.kind === 'audit') {
    const audit: AuditInput = {
      windowSeconds: (entry.since ?? DEFAULT_AUDIT_WINDOW_SECONDS * 1000) / 1000,
      delete: entry.delete ?? false,
    };
    return { ...audit };
  }
  return { ...entry.input, dateTimeZone: entry.timeZone };
}

/** The workflow type an entry's actions start. */
function workflowTypeOf(entry: ScheduleEntry): string {
  return entry.kind === 'audit' ? workflowTypes.audit : workflowTypes.pipeline;
}

/** What the Temporal UI shows for each workflow the schedule starts. */
function summaryOf(entry: ScheduleEntry): { staticSummary: string; staticDetails: string } {
  if (entry.kind === 'audit') {
    const summary = `orphan audit${entry.delete ? ' (deletes orphans)' : ''}`;
    return { staticSummary: summary, staticDetails: `${summary}, started by schedule ${entry.id}` };
  }
  const input = entry.input ?? {};
  return {
    staticSummary: pipelineSummary(input),
    staticDetails: pipelineDetails(input, `schedule ${entry.id}`),
  };
}

/**
 * Compiles `entry` of the file whose set is `set` into the options `client.schedule.create`
 * takes (and `update`, minus the schedule's memo, which Temporal never updates).
 */
export function compileSchedule(entry: ScheduleEntry, target: ScheduleTarget, set: string): CompiledSchedule {
  const fields = Object.fromEntries(
    Object.entries(entry)
      // `kind: pipeline` is the default: leaving it out keeps earlier applies' hashes valid.
      .filter(([key, value]) => value !== undefined && !(key === 'kind' && value === 'pipeline'))
      .map(([key, value]) => [key, digest(value).slice(0, 12)]),
  );
  const memo: EntryMemo = {
    id: entry.id,
    cron: entry.cron ?? [],
    hash: digest({ fields, target, workflowType: workflowTypeOf(entry) }),
    fields,
  };
  return {
    id: entry.id,
    memo,
    options: {
      scheduleId: entry.id,
      spec: {
        ...(entry.cron !== undefined ? { cronExpressions: entry.cron } : {}),
        ...(entry.calendar !== undefined ? { calendars: entry.calendar.map(toCalendarSpec) } : {}),
        timezone: entry.timeZone,
      },
      action: {
        type: 'startWorkflow',
        workflowType: workflowTypeOf(entry),
        taskQueue: target.taskQueue,
        workflowId: entry.id,
        args: [scheduledInput(entry)],
        memo: { [ENTRY_MEMO_KEY]: memo },
        // What the Temporal UI shows for each workflow the schedule starts (the input was checked).
        ...summaryOf(entry),
      },
      policies: {
        overlap: toOverlapPolicy(entry.overlap),
        catchupWindow: entry.catchupWindow,
        pauseOnFailure: entry.pauseOnFailure,
      },
      state: { paused: entry.paused, ...(entry.note !== undefined ? { note: entry.note } : {}) },
      memo: { [MANAGED_MEMO_KEY]: true, [SET_MEMO_KEY]: set },
    },
  };
}

/** The file's calendar spec in the SDK's shape (a range with a step needs an end). */
function toCalendarSpec(entry: CalendarSpecEntry): CalendarSpec {
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    spec[key] = key === 'comment' ? value : toRanges(value);
  }
  return spec;
}

function toRanges(value: unknown): unknown {
  if (value === undefined || value === '*') return value;
  const one = (item: unknown): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    const { start, end, step } = item as { start: unknown; end?: unknown; step?: number };
    return step !== undefined
      ? { start, end: end ?? start, step }
      : end !== undefined
        ? { start, end }
        : { start };
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** sha256 of a value's canonical JSON (object keys sorted), hex. */
function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
