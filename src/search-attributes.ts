/** The search attribute keys the pipeline upserts, and the list the dev and compose stacks register. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attribute keys the pipeline upserts as it moves; registered by the dev and compose stacks. */
export const searchAttributes = {
  runId: defineSearchAttributeKey('AihubRunId', SearchAttributeType.KEYWORD),
  runStatus: defineSearchAttributeKey('AihubRunStatus', SearchAttributeType.KEYWORD),
  app: defineSearchAttributeKey('AihubApp', SearchAttributeType.KEYWORD),
  deploymentId: defineSearchAttributeKey('AihubDeploymentId', SearchAttributeType.KEYWORD),
  batchId: defineSearchAttributeKey('AihubBatchId', SearchAttributeType.KEYWORD),
  context: defineSearchAttributeKey('AihubContext', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('HubrunPhase', SearchAttributeType.KEYWORD),
} as const;

/** The search attribute keys as a list, for registering them with a server. */
export const searchAttributeKeys = Object.values(searchAttributes);
