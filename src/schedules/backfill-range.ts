/**
 * The time range of a backfill, as an operator types it: whole days (`2026-11-01`) or local
 * times (`2026-11-01T02:00`) read in the schedule's time zone, or absolute instants with `Z` or
 * an offset. `--to` a day includes that whole day.
 */

/** Thrown when a backfill bound cannot be read, or the range is empty. */
export class BackfillRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillRangeError';
  }
}

/** A backfill range: actions whose time falls in it are taken now. */
export interface BackfillRange {
  start: Date;
  end: Date;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ABSOLUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads `--from` and `--to` in `timeZone`; throws {@link BackfillRangeError} naming the bad bound. */
export function parseBackfillRange(from: string, to: string, timeZone: string): BackfillRange {
  // A day's start is pushed back 1 ms so an action at exactly midnight is in, whichever way the
  // server treats the start bound.
  const start = new Date(readBound('--from', from, timeZone, 'start').getTime() - 1);
  const end = readBound('--to', to, timeZone, 'end');
  if (end.getTime() <= start.getTime()) {
    throw new BackfillRangeError(`--to (${to}) must come after --from (${from})`);
  }
  return { start, end };
}

function readBound(flag: string, text: string, timeZone: string, edge: 'start' | 'end'): Date {
  if (ABSOLUTE.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const local = LOCAL.exec(text);
  if (local !== null) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
    const wholeDay = h === undefined;
    const check = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
    if (check.getUTCDate() === d && check.getUTCMonth() === (mo ?? 1) - 1 && (h ?? 0) < 24) {
      if (wholeDay && edge === 'end') {
        const nextDay = new Date(check.getTime() + 86_400_000);
        return new Date(zonedToInstant(nextDay, timeZone).getTime() - 1);
      }
      return zonedToInstant(check, timeZone);
    }
  }
  throw new BackfillRangeError(
    `${flag} "${text}": expected a day (2026-11-01), a local time (2026-11-01T02:00) or an instant (2026-11-01T01:00:00Z)`,
  );
}

/** The instant at which the clocks of `timeZone` show `wall` (given as if it were UTC). */
export function zonedToInstant(wall: Date, timeZone: string): Date {
  const guess = wall.getTime();
  let instant = guess - offsetAt(guess, timeZone);
  const corrected = guess - offsetAt(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}

/** How far `timeZone`'s clocks are ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}
