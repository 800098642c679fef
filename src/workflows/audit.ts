/**
 * The `aihubAudit` workflow: one activity that sorts hubrun's AI Hub runs in a window into owned,
 * delivered, orphaned and recent, and with `delete` removes the orphans' data. A workflow, not a
 * CLI call, because only workers hold the AI Hub token; a Temporal Schedule can start it nightly.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_AUDIT_WINDOW_SECONDS } from '../audit';
import type { AuditInput, AuditReport } from '../audit';
import { nonRetryableFailureTypes } from '../failure-types';

/**
 * The audit pages every run in the window and asks Temporal about each tagged one: minutes for
 * thousands of runs, so an hour per attempt; it heartbeats per run, so a killed worker is noticed
 * within 30 s. Transient AI Hub or Temporal trouble is retried for up to a day, and deleting an
 * orphan again is harmless (a deleted run is no longer listed).
 */
const auditCall = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    nonRetryableErrorTypes: nonRetryableFailureTypes,
  },
} as const satisfies ActivityOptions;

const { auditRuns } = proxyActivities<Activities>(auditCall);

/** Audits hubrun's AI Hub runs since `sinceSeconds`: which an open pipeline owns, a closed one delivered, or none adopted. */
export async function aihubAudit(input: AuditInput): Promise<AuditReport> {
  const sinceSeconds =
    input.sinceSeconds ??
    Math.floor(workflowInfo().runStartTime.getTime() / 1000) -
      (input.windowSeconds ?? DEFAULT_AUDIT_WINDOW_SECONDS);
  return auditRuns({ ...input, sinceSeconds });
}
