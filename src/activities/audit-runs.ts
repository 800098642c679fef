/**
 * The orphan audit's one activity: pages AI Hub's runs since a time, and for each run carrying
 * hubrun's tag asks Temporal which pipeline holds it: the workflow its `hubrun-wf:` tag names,
 * else (older tags, a re-drive's takeover) the pipelines whose `AihubRunId` is the run. With
 * `delete`, it deletes the orphans' data.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Run } from '../aihub';
import { auditVerdicts, DEFAULT_AUDIT_WINDOW_SECONDS } from '../audit';
import type { AuditInput, AuditReport, AuditRow, AuditVerdict } from '../audit';
import { readHubrunTags } from '../pipeline-names';
import { searchAttributes } from '../search-attributes';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';

const DEFAULT_RECENT_SECONDS = 300;
const DEFAULT_MAX_ROWS = 500;
/** AI Hub's and hubrun's run ids; anything else is not put into a visibility query. */
const RUN_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Report order: what needs attention first. */
const verdictOrder: readonly AuditVerdict[] = ['orphaned', 'recent', 'owned', 'delivered'];

/** Who holds a run, as Temporal says. */
interface Holder {
  verdict: AuditVerdict;
  workflowId: string | null;
  workflowStatus: string | null;
}

/** Builds the `auditRuns` activity: the {@link AuditReport} of hubrun's runs since `sinceSeconds`. */
export function auditRunsActivity(deps: ActivityDeps): (args: AuditInput) => Promise<AuditReport> {
  return async function auditRuns(args: AuditInput): Promise<AuditReport> {
    const ctx = Context.current();
    const { client, cancellationSignal: signal } = ctx;
    const nowMs = (deps.now ?? Date.now)();
    const sinceSeconds =
      args.sinceSeconds ?? Math.floor(nowMs / 1000) - (args.windowSeconds ?? DEFAULT_AUDIT_WINDOW_SECONDS);
    const recentMs = (args.recentSeconds ?? DEFAULT_RECENT_SECONDS) * 1000;
    const rows: AuditRow[] = [];
    let untagged = 0;
    const runs = deps.aihub.listAllRuns(
      { from_timestamp: sinceSeconds, sort_by: 'start_timestamp', order: 'DESCENDING' },
      { signal },
    );
    for (const run of await aihubCall(() => collect(runs, ctx))) {
      ctx.heartbeat({ audited: rows.length });
      const tags = readHubrunTags(run.tags);
      if (tags === null) {
        untagged++;
        continue;
      }
      const startedMs = startedAtMs(run);
      let holder = await holderOf(client, run.id, tags.workflowId);
      if (holder.verdict === auditVerdicts.orphaned && startedMs !== null && nowMs - startedMs < recentMs) {
        holder = { ...holder, verdict: auditVerdicts.recent };
      }
      const row: AuditRow = {
        runId: run.id,
        status: run.status,
        startedAt: startedMs === null ? null : new Date(startedMs).toISOString(),
        ...holder,
      };
      if (args.delete && row.verdict === auditVerdicts.orphaned) {
        await aihubCall(() => deps.aihub.deleteRun(run.id, undefined, { signal }));
        ctx.log.info('deleted an orphaned run', { runId: run.id });
        row.deleted = true;
      }
      rows.push(row);
    }
    return report({ ...args, sinceSeconds }, rows, untagged);
  };
}

/** Pages the whole list first, so a retried attempt starts from a consistent page set. */
async function collect(runs: AsyncGenerator<Run>, ctx: Context): Promise<Run[]> {
  const all: Run[] = [];
  for await (const run of runs) {
    all.push(run);
    ctx.heartbeat({ listed: all.length });
  }
  return all;
}

/** The run's start in epoch ms (AI Hub sends nanoseconds), or null. */
function startedAtMs(run: Run): number | null {
  const ns = run.start_timestamp;
  return ns === null || ns === undefined ? null : Number(BigInt(ns) / 1_000_000n);
}

/** Who holds `runId`: the tagged workflow when open or when it took this run, else a pipeline found by `AihubRunId`. */
async function holderOf(client: Client, runId: string, taggedWorkflowId: string | null): Promise<Holder> {
  let closedTagged: Holder | null = null;
  if (taggedWorkflowId !== null) {
    try {
      const d = await client.workflow.getHandle(taggedWorkflowId).describe();
      const status = d.status.name;
      if (status === 'RUNNING')
        return { verdict: auditVerdicts.owned, workflowId: d.workflowId, workflowStatus: status };
      if (d.typedSearchAttributes.get(searchAttributes.runId) === runId) {
        closedTagged = { verdict: auditVerdicts.delivered, workflowId: d.workflowId, workflowStatus: status };
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  // A re-drive (`<id>-retry-<n>`) or `--adopt-run` holds a run under another workflow id.
  let closed: Holder | null = null;
  if (RUN_ID.test(runId)) {
    const query = `${searchAttributes.runId.name} = '${runId}'`;
    for await (const execution of client.workflow.list({ query, pageSize: 20 })) {
      const status = execution.status.name;
      if (status === 'RUNNING') {
        return { verdict: auditVerdicts.owned, workflowId: execution.workflowId, workflowStatus: status };
      }
      closed ??= {
        verdict: auditVerdicts.delivered,
        workflowId: execution.workflowId,
        workflowStatus: status,
      };
    }
  }
  return (
    closedTagged ?? closed ?? { verdict: auditVerdicts.orphaned, workflowId: null, workflowStatus: null }
  );
}

/** Counts and the rows to list, orphans first, newest first within a verdict. */
function report(
  args: AuditInput & { sinceSeconds: number },
  rows: AuditRow[],
  untagged: number,
): AuditReport {
  const counts = { owned: 0, delivered: 0, orphaned: 0, recent: 0 } satisfies Record<AuditVerdict, number>;
  for (const row of rows) counts[row.verdict]++;
  const sorted = [...rows].sort((a, b) => verdictOrder.indexOf(a.verdict) - verdictOrder.indexOf(b.verdict));
  const maxRows = args.maxRows ?? DEFAULT_MAX_ROWS;
  return {
    sinceSeconds: args.sinceSeconds,
    untagged,
    counts,
    deleted: rows.filter((r) => r.deleted === true).length,
    rows: sorted.slice(0, maxRows),
    more: Math.max(0, sorted.length - maxRows),
  };
}
