/**
 * Where a pipeline execution's results go: `<results root>/<workflow id>/<workflow run id>`.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The folder of one pipeline execution's results, `<root>/<workflow id>/<workflow run id>`;
 * refuses ids that would escape `root`.
 */
export function resultsFolder(root: string, workflowId: string, workflowRunId: string): string {
  for (const [what, id] of [
    ['workflow id', workflowId],
    ['workflow run id', workflowRunId],
  ] as const) {
    if (id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
      throw new Error(`${what} ${JSON.stringify(id)} is not a safe folder name`);
    }
  }
  return join(resolve(root), workflowId, workflowRunId);
}

/** Creates the results folder of one pipeline execution and returns its path. */
export async function prepareResultsFolder(
  root: string,
  workflowId: string,
  workflowRunId: string,
): Promise<string> {
  const folder = resultsFolder(root, workflowId, workflowRunId);
  await mkdir(folder, { recursive: true });
  return folder;
}
