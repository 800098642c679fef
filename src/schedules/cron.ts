/**
 * Checks cron expressions the way Temporal Schedules read them, so a bad one is refused with the
 * whole file, before anything is applied: 5 fields (minute hour day-of-month month day-of-week),
 * 6 (… year) or 7 (second … year), or a shorthand (`@daily`, `@hourly`, `@every 2h`, …).
 * Each field is a comma list of `*`, `N`, `N-M`, with an optional `/STEP`; months and days of the
 * week also take names (`JAN`, `MON-FRI`).
 */

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names of the values, three-letter and in full (`MON`, `MONDAY`). */
  names?: readonly string[];
  /** Value of the first name (months count from 1, days of the week from 0). */
  namesFrom?: number;
}

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

const second: FieldRule = { name: 'second', min: 0, max: 59 };
const minute: FieldRule = { name: 'minute', min: 0, max: 59 };
const hour: FieldRule = { name: 'hour', min: 0, max: 23 };
const dayOfMonth: FieldRule = { name: 'day of month', min: 1, max: 31 };
const month: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 };
const dayOfWeek: FieldRule = { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 };
const year: FieldRule = { name: 'year', min: 1970, max: 2999 };

const layouts: Record<number, FieldRule[]> = {
  5: [minute, hour, dayOfMonth, month, dayOfWeek],
  6: [minute, hour, dayOfMonth, month, dayOfWeek, year],
  7: [second, minute, hour, dayOfMonth, month, dayOfWeek, year],
};

const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const EVERY = /^@every\s+\d+[smhd](\/\d+[smhd])?$/;

/** Problems with a cron expression, one sentence each; empty when Temporal accepts it. */
export function cronProblems(expression: string): string[] {
  const text = expression.trim();
  if (text === '') return ['is empty'];
  if (/^(CRON_)?TZ=/.test(text)) return ['put the time zone in timeZone, not in the expression'];
  if (text.includes('#')) return ['comments belong in the YAML file, outside the expression'];
  if (text.startsWith('@')) {
    return SHORTHANDS.has(text) || EVERY.test(text)
      ? []
      : [
          `unknown shorthand "${text}" (use @yearly, @monthly, @weekly, @daily, @hourly or @every <n><s|m|h|d>)`,
        ];
  }
  const fields = text.split(/\s+/);
  const layout = layouts[fields.length];
  if (layout === undefined) {
    return [
      `has ${fields.length} fields; give 5 (minute hour day-of-month month day-of-week), 6 (… year) or 7 (second … year)`,
    ];
  }
  return layout.flatMap((rule, i) => fieldProblems(fields[i] ?? '', rule));
}

function fieldProblems(field: string, rule: FieldRule): string[] {
  return field.split(',').flatMap((item) => {
    const problem = itemProblem(item, rule);
    return problem === null ? [] : [`${rule.name} "${item}": ${problem}`];
  });
}

function itemProblem(item: string, rule: FieldRule): string | null {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) return 'more than one "/"';
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return 'a step must be a whole number above 0';
  if (range === '*') return null;
  const [from = '', to, beyond] = range.split('-');
  if (beyond !== undefined) return 'more than one "-"';
  const start = valueOf(from, rule);
  if (start === null) return describeRange(rule);
  if (to === undefined) return null;
  const end = valueOf(to, rule);
  if (end === null) return describeRange(rule);
  return start <= end ? null : 'a range must not end before it starts';
}

function valueOf(text: string, rule: FieldRule): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= rule.min && n <= rule.max ? n : null;
  }
  const upper = text.toUpperCase();
  const index = (rule.names ?? []).findIndex((name) => upper === name || upper === name.slice(0, 3));
  return index >= 0 ? index + (rule.namesFrom ?? 0) : null;
}

function describeRange(rule: FieldRule): string {
  const first = rule.names?.[0]?.slice(0, 3);
  const last = rule.names?.[rule.names.length - 1]?.slice(0, 3);
  const names = first && last ? ` or a name (${first}…${last})` : '';
  return `expected *, a number from ${rule.min} to ${rule.max}${names}, or a range of them`;
}
