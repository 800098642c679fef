/**
 * Finds the running pipeline of an AI Hub run by its `AihubRunId` search attribute (a visibility
 * list query) and signals it `checkNow`, so the run's finish is noticed at once.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { CHECK_NOW_SIGNAL, workflowTypes } from '../names';
import { searchAttributes } from '../search-attributes';

/** Run ids the hook looks up: AI Hub's are `run-<hex>` or UUIDs; anything else matches no pipeline. */
const RUN_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** How often, and how far apart, a run unknown to visibility is looked up again (visibility lags a little). */
export interface LookupOptions {
  /** @default 3 */
  attempts?: number;
  /** @default 500 */
  spacingMs?: number;
}

/** Signals `checkNow` to the running pipeline of `runId`; answers its workflow id, or null when there is none. */
export async function signalPipelineOfRun(
  client: Client,
  runId: string,
  options: LookupOptions = {},
): Promise<string | null> {
  if (!RUN_ID.test(runId)) return null;
  const query =
    `${searchAttributes.runId.name} = '${runId}' AND WorkflowType = '${workflowTypes.pipeline}' ` +
    `AND ExecutionStatus = 'Running'`;
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    for await (const execution of client.workflow.list({ query, pageSize: 10 })) {
      try {
        await client.workflow.getHandle(execution.workflowId, execution.runId).signal(CHECK_NOW_SIGNAL);
        return execution.workflowId;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // finished meanwhile: look on
      }
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, options.spacingMs ?? 500));
  }
  return null;
}
