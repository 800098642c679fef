/**
 * The `{date}` placeholder of pipeline inputs: the nominal date of a scheduled action, filled in
 * by the pipeline workflow itself (a Temporal Schedule cannot template its arguments). Pure and
 * deterministic: it is bundled into workflows, and `Intl` is the only clock-free calendar it uses.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TypedSearchAttributes } from '@temporalio/common';

/** The placeholder replaced by the nominal date, `YYYY-MM-DD`, in {@link dateFields}. */
export const DATE_PLACEHOLDER = '{date}';

/** Pipeline input fields in which {@link DATE_PLACEHOLDER} is replaced: paths, workspaces and tags. */
export const dateFields = [
  'inputDir',
  'files',
  'outputDir',
  'outputWorkspace',
  'batchWorkspace',
  'resultsDir',
  'tags',
] as const;

/** Time zone of the nominal date when the input names none. */
export const DEFAULT_DATE_TIME_ZONE = 'UTC';

/** Set by Temporal on workflows a Schedule started: the action's nominal time (before jitter). */
export const scheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/**
 * Whether `name` is an IANA time zone, spelled as the tz database spells it (`Europe/Berlin`,
 * `UTC`, aliases such as `US/Pacific`); `europe/berlin` is refused because the Temporal server
 * looks zones up case-sensitively.
 */
export function isTimeZone(name: string): boolean {
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return canonical === name || canonical.toLowerCase() !== name.toLowerCase();
}

/** The calendar date of `instant` in `timeZone`, as `YYYY-MM-DD`. Throws RangeError on an unknown zone. */
export function nominalDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** A pipeline input with `{date}` filled in, the date used, and the fields that changed. */
export interface DatedInput {
  /** The input with every `{date}` of {@link dateFields} replaced (the raw input when none was). */
  input: unknown;
  /** The nominal date filled in, or null when the input held no placeholder (or no valid time zone). */
  date: string | null;
  /** The fields that held the placeholder, with their filled values. */
  filled: Record<string, unknown>;
}

/**
 * Replaces `{date}` in the {@link dateFields} of a raw pipeline input by the date of `instant` in
 * the input's `dateTimeZone` (default UTC). Anything that is not an object, or whose
 * `dateTimeZone` is invalid, is returned unchanged: validation then names the field at fault.
 */
export function fillNominalDate(raw: unknown, instant: Date): DatedInput {
  const unchanged: DatedInput = { input: raw, date: null, filled: {} };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return unchanged;
  const record = raw as Record<string, unknown>;
  const holders = dateFields.filter((field) => holdsPlaceholder(record[field]));
  if (holders.length === 0) return unchanged;
  const timeZone = record.dateTimeZone ?? DEFAULT_DATE_TIME_ZONE;
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) return unchanged;

  const date = nominalDate(instant, timeZone);
  const filled: Record<string, unknown> = {};
  for (const field of holders) filled[field] = replaceIn(record[field], date);
  return { input: { ...record, ...filled }, date, filled };
}

function holdsPlaceholder(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(DATE_PLACEHOLDER);
  return Array.isArray(value) && value.some((v) => typeof v === 'string' && v.includes(DATE_PLACEHOLDER));
}

function replaceIn(value: unknown, date: string): unknown {
  if (typeof value === 'string') return value.replaceAll(DATE_PLACEHOLDER, date);
  if (Array.isArray(value)) return value.map((v) => replaceIn(v, date));
  return value;
}

/**
 * The instant whose date `{date}` stands for: the action time of a schedule-started workflow
 * (its `TemporalScheduledStartTime`), else the workflow's start time.
 */
export function nominalInstant(info: {
  typedSearchAttributes: TypedSearchAttributes;
  startTime: Date;
}): Date {
  return info.typedSearchAttributes.get(scheduledStartTimeKey) ?? info.startTime;
}
