/**
 * Scale probe: a workflow that only sleeps, registered under the pipeline's workflow type so the
 * unchanged `hubrun worker` process hosts it. Its memory and CPU per workflow are the Temporal
 * SDK's floor, against which hubrun's pipeline is compared.
 */
import { sleep } from '@temporalio/workflow';

/** Sleeps for a day, whatever its input. */
export async function aihubRunPipeline(): Promise<void> {
  await sleep('1 day');
}
