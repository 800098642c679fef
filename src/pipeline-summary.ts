/**
 * What a pipeline is about, in words for the Temporal UI and CLI: the one-line summary and the
 * Markdown details of a workflow's user metadata, and its activities' summaries. Pure (no I/O):
 * the client helpers, schedules and the workflow use it alike.
 */

/** The parts of a pipeline input its summary names (a draft or a validated input). */
export interface SummarizedInput {
  appName?: string | undefined;
  appId?: string | undefined;
  deploymentId?: string | undefined;
  appVersion?: string | undefined;
  batchId?: number | undefined;
  inputDir?: string | undefined;
  files?: readonly string[] | undefined;
  adoptRunId?: string | undefined;
  resultsDir?: string | undefined;
}

/** Longest summary kept: the UI shows one line. */
const MAX_SUMMARY_CHARS = 200;

/** The app or deployment: `invoices`, `app app-1`, `deployment dep-1`. */
export function appLabel(input: SummarizedInput): string {
  if (input.appName !== undefined) return input.appName;
  if (input.appId !== undefined) return `app ${input.appId}`;
  if (input.deploymentId !== undefined) return `deployment ${input.deploymentId}`;
  return 'an AI Hub run';
}

/** The input: `batch 12`, the drive folder, `5 local files`, or the adopted run. */
export function inputLabel(input: SummarizedInput): string {
  if (input.batchId !== undefined) return `batch ${input.batchId}`;
  if (input.inputDir !== undefined) return input.inputDir;
  if (input.files !== undefined)
    return `${input.files.length} local file${input.files.length === 1 ? '' : 's'}`;
  if (input.adoptRunId !== undefined) return `run ${input.adoptRunId}`;
  return 'no input';
}

/** One line saying what the pipeline does: `invoices on batch 12`. */
export function pipelineSummary(input: SummarizedInput): string {
  return `${appLabel(input)} on ${inputLabel(input)}`.slice(0, MAX_SUMMARY_CHARS);
}

/** Markdown details: app or deployment, input, results folder and who started the pipeline. */
export function pipelineDetails(input: SummarizedInput, startedBy: string): string {
  const lines = [
    `**App**: ${appLabel(input)}${input.appVersion !== undefined ? ` (version ${input.appVersion})` : ''}`,
    `**Input**: ${inputLabel(input)}`,
    ...(input.resultsDir !== undefined ? [`**Results**: ${input.resultsDir}`] : []),
    `**Started by**: ${startedBy}`,
  ];
  return lines.join('\n\n');
}
