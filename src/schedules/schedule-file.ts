/**
 * The schedules file (`schedules.yaml`): its zod schema, and {@link parseScheduleFile}, which
 * checks the file's `set` (the name of the schedules it owns) and every entry (cron syntax, time
 * zone, policies, the pipeline input after a trial `{date}` fill) and rejects the whole file,
 * naming each problem as `set: message` or `entry <id or #n>: <field>: message`.
 */
import { readFile } from 'node:fs/promises';
import { DAYS_OF_WEEK, MONTHS } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { checkPipelineInput, WorkflowId } from '../pipeline-input';
import { cronProblems } from './cron';
import { fillNominalDate, isTimeZone } from '../nominal-date';

/** Thrown when a schedules file is invalid; `problems` names every entry and field at fault. */
export class ScheduleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing applied\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
    this.name = 'ScheduleFileError';
  }
}

/** Overlap policies, as written in the file (Temporal's `ScheduleOverlapPolicy` in lower case). */
export const overlapPolicies = [
  'skip',
  'buffer_one',
  'buffer_all',
  'cancel_other',
  'terminate_other',
  'allow_all',
] as const;
export type OverlapName = (typeof overlapPolicies)[number];

/** What an entry starts: `pipeline` (the default) or `audit`, the orphan audit (`hubrun audit`). */
export const scheduleKinds = ['pipeline', 'audit'] as const;
export type ScheduleKind = (typeof scheduleKinds)[number];

/** Catch-up window of an entry that names none: a nightly action missed by less than a day still runs. */
export const DEFAULT_CATCHUP_WINDOW = '1d';

/** Characters Temporal appends to a scheduled workflow's id (`-2026-11-28T01:00:00Z`). */
const ACTION_TIME_SUFFIX_CHARS = 21;

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `90s`, `30m`, `12h` or `1d`, in milliseconds. */
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?[smhd]$/, 'expected a duration such as 30m, 12h or 1d')
  .transform((text) => Number(text.slice(0, -1)) * (durationUnits[text.slice(-1)] ?? 0))
  .refine((ms) => ms >= 10_000, 'must be at least 10s (Temporal’s minimum)')
  .refine((ms) => ms <= 366 * 86_400_000, 'must be at most 366d');

const CronExpression = z.string().superRefine((expression, ctx) => {
  for (const message of cronProblems(expression)) ctx.addIssue({ code: 'custom', message });
});

/** One calendar field: `*`, a value, a `{start, end, step}` range, or a list of them. */
function calendarField<T extends z.ZodType>(unit: T, expected: string) {
  const range = z.union([
    unit,
    z
      .object({ start: unit, end: unit.optional(), step: z.number().int().min(1).optional() })
      .strict()
      .refine((r) => r.step === undefined || r.end !== undefined, {
        path: ['end'],
        message: 'a range with a step needs an end',
      }),
  ]);
  return z
    .union([z.literal('*'), range, z.array(range).min(1)], {
      error: `expected *, ${expected}, a {start, end, step} range, or a list of them`,
    })
    .optional();
}
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** A calendar spec, as Temporal's `CalendarSpec` (unset fields: second, minute and hour 0, the rest `*`). */
const CalendarSpec = z
  .object({
    second: calendarField(int(0, 59), 'a second 0-59'),
    minute: calendarField(int(0, 59), 'a minute 0-59'),
    hour: calendarField(int(0, 23), 'an hour 0-23'),
    dayOfMonth: calendarField(int(1, 31), 'a day of the month 1-31'),
    month: calendarField(z.enum(MONTHS), 'a month name (JANUARY…DECEMBER)'),
    year: calendarField(int(1970, 2999), 'a year'),
    dayOfWeek: calendarField(z.enum(DAYS_OF_WEEK), 'a day name (SUNDAY…SATURDAY)'),
    comment: z.string().max(200).optional(),
  })
  .strict();
export type CalendarSpecEntry = z.infer<typeof CalendarSpec>;

/** One item or a list of them; a single item is read as a list of one. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess((v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]), z.array(item).min(1));

/** Entry fields that take one item or a list (a problem in a single item is named without its index). */
const listFields = new Set(['cron', 'calendar']);

/** One entry of the schedules file, before its pipeline input is checked. */
const ScheduleEntrySchema = z
  .object({
    /** Schedule id, and the id of the pipelines it starts (Temporal appends the action time). */
    id: WorkflowId.refine(
      (id) => id.length <= 200 - ACTION_TIME_SUFFIX_CHARS,
      `at most ${200 - ACTION_TIME_SUFFIX_CHARS} characters (Temporal appends the action time)`,
    ),
    /** Cron expression(s), read in `timeZone`. */
    cron: oneOrMany(CronExpression).optional(),
    /** Calendar spec(s), read in `timeZone`. */
    calendar: oneOrMany(CalendarSpec).optional(),
    /** IANA time zone of the spec and of the `{date}` placeholder. */
    timeZone: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Berlin, UTC)'),
    /** What to do when an action is due while the previous one still runs. @default 'skip' */
    overlap: z.enum(overlapPolicies).default('skip'),
    /** How late a missed action (server down) may still start. @default '1d' */
    catchupWindow: Duration.prefault(DEFAULT_CATCHUP_WINDOW),
    /** Pause the schedule when a pipeline it started fails. @default false */
    pauseOnFailure: z.boolean().default(false),
    /** Create (or update) the schedule paused. @default false */
    paused: z.boolean().default(false),
    /** A note shown with the schedule (Temporal replaces it when it pauses on failure). */
    note: z.string().max(1000).optional(),
    /** What the schedule starts: a pipeline (with `input`) or the orphan audit (`since`, `delete`). @default 'pipeline' */
    kind: z.enum(scheduleKinds).default('pipeline'),
    /** The pipeline input; `{date}` in its paths and tags becomes the action's nominal date. */
    input: z.record(z.string(), z.unknown()).optional(),
    /** An audit's window back from each action, e.g. `2d`. @default '1d' */
    since: Duration.optional(),
    /** An audit deletes the orphaned runs' data. @default false */
    delete: z.boolean().optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.cron === undefined && entry.calendar === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give cron or calendar (or both)' });
    }
    if (entry.kind === 'pipeline') {
      if (entry.input === undefined) ctx.addIssue({ code: 'custom', path: ['input'], message: 'required' });
      for (const key of ['since', 'delete'] as const) {
        if (entry[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'only for kind: audit' });
        }
      }
    } else if (entry.input !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['input'],
        message: 'an audit takes since and delete, not input',
      });
    }
  });

/** Input fields the schedule sets itself, with why. */
const scheduleSetFields: Record<string, string> = {
  workflowId: 'set by the schedule (the entry id plus the action time)',
  dateTimeZone: 'set by the schedule from timeZone',
};

/** A checked entry of the schedules file, defaults filled in. */
export type ScheduleEntry = z.output<typeof ScheduleEntrySchema>;

/** A checked schedules file. */
export interface ScheduleFile {
  /** Where it came from (a path), for messages. */
  source: string;
  /** The set this file owns: `apply` creates, updates and deletes only this set's schedules. */
  set: string;
  schedules: ScheduleEntry[];
}

/** Longest set name (it is kept in each schedule's memo). */
export const MAX_SET_NAME_CHARS = 100;

/** A set name: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const ScheduleSetName = z
  .string({ error: 'give the name of the schedules this file owns, e.g. set: invoices-team' })
  .max(MAX_SET_NAME_CHARS, `at most ${MAX_SET_NAME_CHARS} characters`)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'letters, digits, ".", "_" and "-", starting with a letter or digit',
  );

// `set` is checked on its own, so a file without one still has every entry's problems named.
const FileSchema = z.object({ set: z.unknown().optional(), schedules: z.array(z.unknown()) }).strict();

/** A date for trial-filling `{date}`, so validation sees inputs as long as the real ones. */
const TRIAL_INSTANT = new Date('2000-01-01T12:00:00Z');

/** Parses and checks a schedules file's text; throws {@link ScheduleFileError} naming every problem. */
export function parseScheduleFile(text: string, source: string): ScheduleFile {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ScheduleFileError(
      source,
      doc.errors.map((e) => (e.message.split('\n')[0] ?? e.code).replace(/:$/, '')),
    );
  }
  const top = FileSchema.safeParse(doc.toJS());
  if (!top.success) {
    throw new ScheduleFileError(
      source,
      top.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys'
          ? `${issue.keys.join(', ')}: unknown field (the file holds two keys, set and schedules)`
          : issue.path.length === 0
            ? 'expected a mapping with a schedules list'
            : `${fieldName(issue.path)}: ${issue.message}`,
      ),
    );
  }

  const problems: string[] = [];
  const set = ScheduleSetName.safeParse(top.data.set);
  if (!set.success) problems.push(...set.error.issues.map((issue) => `set: ${issue.message}`));
  const schedules: ScheduleEntry[] = [];
  const firstIndexOf = new Map<string, number>();
  const idCounts = new Map<unknown, number>();
  for (const raw of top.data.schedules)
    idCounts.set(field(raw, 'id'), (idCounts.get(field(raw, 'id')) ?? 0) + 1);
  top.data.schedules.forEach((raw, i) => {
    const label = entryLabel(raw, i, (idCounts.get(field(raw, 'id')) ?? 0) > 1);
    const at = (problem: string): string => `entry ${label}: ${problem}`;
    const parsed = ScheduleEntrySchema.safeParse(raw);
    if (parsed.success) schedules.push(parsed.data);
    else problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)).map(at));
    problems.push(...inputProblems(raw).map(at));
    const id = field(raw, 'id');
    if (typeof id !== 'string') return;
    const first = firstIndexOf.get(id);
    if (first === undefined) firstIndexOf.set(id, i);
    else problems.push(at(`id: also the id of entry #${first + 1}; ids must be unique`));
  });
  if (problems.length > 0 || !set.success) throw new ScheduleFileError(source, problems);
  return { source, set: set.data, schedules };
}

/** Reads and checks a schedules file; throws {@link ScheduleFileError} when it is unreadable or invalid. */
export async function loadScheduleFile(path: string): Promise<ScheduleFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScheduleFileError(path, [
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseScheduleFile(text, path);
}

/**
 * Problems of an entry's pipeline input, checked as the workflow will see it: with `{date}`
 * trial-filled and `dateTimeZone` set from the entry.
 */
function inputProblems(raw: unknown): string[] {
  const input = field(raw, 'input');
  if (field(raw, 'kind') === 'audit') return [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const own = Object.keys(scheduleSetFields)
    .filter((key) => (input as Record<string, unknown>)[key] !== undefined)
    .map((key) => `input.${key}: ${scheduleSetFields[key]}`);
  const timeZone = field(raw, 'timeZone');
  const trial = fillNominalDate(
    {
      ...input,
      workflowId: undefined,
      dateTimeZone: typeof timeZone === 'string' && isTimeZone(timeZone) ? timeZone : undefined,
    },
    TRIAL_INSTANT,
  );
  const checked = checkPipelineInput(trial.input);
  const nested = checked.ok ? [] : checked.problems.map((p) => (p.startsWith('input: ') ? p : `input.${p}`));
  return [...own, ...nested];
}

function field(raw: unknown, key: string): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
}

/** `nightly` for an entry with an id (`nightly (#3)` when several share it), else `#3` (its position, from 1). */
function entryLabel(raw: unknown, index: number, shared: boolean): string {
  const id = field(raw, 'id');
  if (typeof id !== 'string' || id.trim() === '') return `#${index + 1}`;
  return shared ? `${id} (#${index + 1})` : id;
}

function fieldName(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  let path = issue.path;
  const [first] = path;
  if (typeof first === 'string' && listFields.has(first) && !Array.isArray(field(raw, first))) {
    path = [first, ...path.slice(2)]; // a single cron or calendar: no ".0"
  }
  if (issue.code === 'unrecognized_keys') {
    const prefix = path.length > 0 ? `${fieldName(path)}.` : '';
    return issue.keys.map((key) => `${prefix}${key}: unknown field`);
  }
  if (path.length === 0) return [issue.message];
  return [`${fieldName(path)}: ${issue.message}`];
}
