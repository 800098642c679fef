/**
 * Names a pipeline derives from its ids: the batch it uploads into, the tag that finds its run
 * again, and a fan-out's child ids and inputs. Plain functions without zod: workflows import
 * them, and the workflow bundle stays free of the input schemas (they are checked in activities).
 */
import { aihubLimits } from './aihub/endpoints';
import type { PipelineInputDraft } from './pipeline-input';

/** The batch name of a pipeline that uploads files: its workflow id and first execution run id, within AI Hub's limit. */
export function batchNameFor(workflowId: string, firstExecutionRunId: string): string {
  const suffix = ` (hubrun ${firstExecutionRunId})`;
  return workflowId.slice(0, aihubLimits.maxBatchNameChars - suffix.length) + suffix;
}

/** The tag that makes a pipeline's run findable again: `hubrun:<first execution run id>`. */
export function exactlyOnceTag(firstExecutionRunId: string): string {
  return `hubrun:${firstExecutionRunId}`;
}

/** The workflow id of a fan-out's `index`-th child (0-based index, 1-based name). */
export function childWorkflowId(fanOutId: string, index: number): string {
  return `${fanOutId}-${index + 1}`;
}

/**
 * The pipeline input of a fan-out's `index`-th child: the shared template, the child's own
 * input (`batchId`, `inputDir` or `files`) and its id. The child checks it like any pipeline.
 */
export function childInput(
  template: Record<string, unknown>,
  item: object,
  fanOutId: string,
  index: number,
): PipelineInputDraft {
  return { ...template, ...item, workflowId: childWorkflowId(fanOutId, index) };
}
