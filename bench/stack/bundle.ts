/** hubrun's workflows bundled once per benchmark run into a file, as production loads them (`HUBRUN_WORKFLOW_BUNDLE`). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Bundles `src/workflows` into `<dir>/workflow-bundle.js` and returns its path. */
export function bundleHubrunWorkflows(dir: string): Promise<string> {
  return bundleWorkflows(require.resolve('../../src/workflows'), dir, 'workflow-bundle');
}

/** Bundles the workflows of `workflowsPath` into `<dir>/<name>.js` and returns its path. */
export async function bundleWorkflows(workflowsPath: string, dir: string, name: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: silent });
  const path = join(dir, `${name}.js`);
  await writeFile(path, code);
  return path;
}

/** Bundles the baseline workflows of bench/baseline. */
export function bundleBaselineWorkflows(dir: string): Promise<string> {
  return bundleWorkflows(require.resolve('../baseline/workflows'), dir, 'baseline-bundle');
}
