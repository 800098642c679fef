/**
 * What each benchmark section hands back, and how it is shown: aligned text on the console,
 * Markdown in bench/REPORT.md. Every figure with a target carries its verdict (PASS/FAIL).
 */
import type { MachineFacts } from './machine';

/** A figure measured against a target. */
export interface Check {
  name: string;
  value: number;
  unit: string;
  /** The target as written, e.g. `≤ 40`. */
  target: string;
  pass: boolean;
  /** By how much a FAIL misses, or how a PASS was reached, in words. */
  note?: string;
}

/** A table of figures side by side. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
}

/** The outcome of one comparison. */
export interface SectionResult {
  id: string;
  title: string;
  /** One paragraph: what was run and how it was measured. */
  method: string;
  tables: Table[];
  checks: Check[];
  /** Findings: where targets are missed, by how much, and what limits them. */
  notes: string[];
  /** Raw figures for results.json. */
  data: unknown;
}

/** A value with its unit: `40 events`, `12%`, `3.5×`. */
export function withUnit(value: string, unit: string): string {
  return unit === '%' || unit === '×' || unit === '' ? `${value}${unit}` : `${value} ${unit}`;
}

/** `value <= limit` as a check. */
export function atMost(name: string, value: number, unit: string, limit: number, note?: string): Check {
  return {
    name,
    value,
    unit,
    target: `≤ ${withUnit(fmt(limit), unit)}`,
    pass: value <= limit,
    ...(note ? { note } : {}),
  };
}

/** `value >= limit` as a check. */
export function atLeast(name: string, value: number, unit: string, limit: number, note?: string): Check {
  return {
    name,
    value,
    unit,
    target: `≥ ${withUnit(fmt(limit), unit)}`,
    pass: value >= limit,
    ...(note ? { note } : {}),
  };
}

/** A number with sensible precision. */
export function fmt(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (digits !== undefined) return value.toFixed(digits);
  const abs = Math.abs(value);
  if (abs >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Bytes as MiB. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** Milliseconds as a short duration (`850 ms`, `12.3 s`, `4.2 min`, `6.0 h`). */
export function duration(ms: number): string {
  if (Number.isNaN(ms)) return 'none measured';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${ms.toFixed(0)} ms`;
  if (abs < 120_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function verdict(check: Check): string {
  return check.pass ? 'PASS' : 'FAIL';
}

function textTable(table: Table): string {
  const widths = table.headers.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    table.title,
    line(table.headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(line),
  ].join('\n');
}

/** The section as console text. */
export function sectionText(section: SectionResult): string {
  const parts = [`\n== ${section.title} ==`];
  for (const table of section.tables) parts.push(textTable(table), '');
  for (const check of section.checks) {
    parts.push(
      `${verdict(check)}  ${check.name}: ${withUnit(fmt(check.value), check.unit)} (target ${check.target})${check.note ? ` - ${check.note}` : ''}`,
    );
  }
  return parts.join('\n');
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function mdTable(table: Table): string {
  return [
    `**${table.title}**`,
    '',
    `| ${table.headers.map(mdEscape).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(mdEscape).join(' | ')} |`),
  ].join('\n');
}

/** The section as Markdown. */
export function sectionMarkdown(section: SectionResult): string {
  const parts = [`## ${section.title}`, '', section.method, ''];
  for (const table of section.tables) parts.push(mdTable(table), '');
  if (section.checks.length > 0) {
    parts.push(
      mdTable({
        title: 'Targets',
        headers: ['figure', 'value', 'target', 'verdict', 'note'],
        rows: section.checks.map((c) => [
          c.name,
          `${withUnit(fmt(c.value), c.unit)}`,
          c.target,
          verdict(c),
          c.note ?? '',
        ]),
      }),
      '',
    );
  }
  if (section.notes.length > 0) parts.push(...section.notes.map((n) => `- ${n}`), '');
  return parts.join('\n');
}

/** The whole report: machine facts, every target with its verdict, then each section. */
export function reportMarkdown(
  generatedAt: string,
  facts: MachineFacts,
  quick: boolean,
  results: SectionResult[],
  elapsedMs: number,
): string {
  const checks = results.flatMap((r) => r.checks.map((c) => ({ section: r.title.split(':')[0]!, ...c })));
  const passed = checks.filter((c) => c.pass).length;
  return [
    '# hubrun benchmarks',
    '',
    `Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${generatedAt} in ${duration(elapsedMs)}. ` +
      'See bench/README.md for what each figure means. Every server, emulator and worker was started by the run on free ports.',
    '',
    '## Machine',
    '',
    '| fact | value |',
    '| --- | --- |',
    `| cores | ${facts.cores} × ${facts.cpuModel} |`,
    `| memory | ${facts.memoryGiB} GiB |`,
    `| OS | ${facts.kernel} |`,
    `| Node.js | ${facts.nodeVersion} |`,
    `| Temporal CLI (dev server) | ${facts.temporalCli} |`,
    `| Temporal test server | ${facts.temporalTestServer} |`,
    `| Temporal TypeScript SDK | ${facts.temporalSdk} |`,
    `| load average (1 min) at start | ${facts.loadAverageAtStart} (shared machine) |`,
    '',
    `## Summary: ${passed} of ${checks.length} targets met`,
    '',
    '| section | figure | value | target | verdict |',
    '| --- | --- | ---: | --- | --- |',
    ...checks.map(
      (c) => `| ${c.section} | ${c.name} | ${withUnit(fmt(c.value), c.unit)} | ${c.target} | ${verdict(c)} |`,
    ),
    '',
    ...results.map(sectionMarkdown),
  ].join('\n');
}
