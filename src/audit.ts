/**
 * The orphan audit's input and report: AI Hub runs carrying hubrun's tag in a time window,
 * each sorted as owned by an open pipeline, delivered by a closed one, orphaned (no pipeline
 * adopted it), or too recent to tell. Plain types and functions: the workflow, the activity and
 * the CLI all import them.
 */

/** The window of an audit given neither `sinceSeconds` nor `windowSeconds`: a day. */
export const DEFAULT_AUDIT_WINDOW_SECONDS = 86_400;

/** What the audit decided about one run. */
export const auditVerdicts = {
  /** An open pipeline holds the run. */
  owned: 'owned',
  /** A closed pipeline took the run (its `AihubRunId`); its outcome is in `workflowStatus`. */
  delivered: 'delivered',
  /** No pipeline holds or held the run: a duplicate that slipped through, a terminated start. */
  orphaned: 'orphaned',
  /** Younger than the visibility lag allows to judge; never deleted. */
  recent: 'recent',
} as const;
export type AuditVerdict = (typeof auditVerdicts)[keyof typeof auditVerdicts];

/** Input of the `aihubAudit` workflow and its activity. */
export interface AuditInput {
  /** Only runs started at or after this time, epoch seconds. @default the start of the audit minus `windowSeconds` */
  sinceSeconds?: number;
  /** Without `sinceSeconds`: the window back from the audit's start, as a schedule gives it. @default 86400 */
  windowSeconds?: number;
  /** Delete the orphaned runs' data (`DELETE /v2/apps/runs/{id}`). @default false */
  delete?: boolean;
  /** Runs younger than this are `recent`, not judged (visibility lags a little). @default 300 */
  recentSeconds?: number;
  /** Most rows the report lists (counts cover every run). @default 500 */
  maxRows?: number;
}

/** One audited run. */
export interface AuditRow {
  runId: string;
  /** The run's AI Hub status. */
  status: string;
  /** When the run started, ISO time; null when AI Hub gave none. */
  startedAt: string | null;
  /** The pipeline that holds or held it, if any. */
  workflowId: string | null;
  /** That pipeline's Temporal status (`RUNNING`, `COMPLETED`, `FAILED`...), if any. */
  workflowStatus: string | null;
  verdict: AuditVerdict;
  /** True once the audit deleted the run's data (only orphans, only with `delete`). */
  deleted?: boolean;
}

/** The audit's answer: counts over every tagged run, and up to `maxRows` rows (orphans first). */
export interface AuditReport {
  sinceSeconds: number;
  /** Runs in the window without hubrun's tag, not audited. */
  untagged: number;
  counts: Record<AuditVerdict, number>;
  deleted: number;
  rows: AuditRow[];
  /** Tagged runs left out of `rows` by `maxRows`. */
  more: number;
}

/** The workflow id of an audit started at `nowMs`: `hubrun-audit-<ISO time>`. */
export function auditWorkflowId(nowMs: number): string {
  return `hubrun-audit-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
}

const durationUnits: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86_400 };

/**
 * The start of an audit window, epoch seconds: a duration back from `nowMs` (`90m`, `12h`,
 * `2d`) or an ISO time (`2026-11-28T00:00:00Z`); null when `text` is neither.
 */
export function auditSinceSeconds(text: string, nowMs: number): number | null {
  const seconds = durationSeconds(text);
  if (seconds !== null) return Math.floor(nowMs / 1000 - seconds);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** A duration such as `90m`, `12h` or `2d` in seconds; null when `text` is none. */
export function durationSeconds(text: string): number | null {
  const duration = /^(\d+(?:\.\d+)?)([mhd])$/.exec(text.trim());
  return duration === null ? null : Number(duration[1]) * (durationUnits[duration[2] ?? ''] ?? 0);
}
