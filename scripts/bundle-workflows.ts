/**
 * Writes the prebuilt workflow bundle the production worker loads (`dist/workflow-bundle.js`), or
 * `<folder>/workflow-bundle.js` when given a folder (scripts/build.mjs builds into a folder of its own).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(root, 'src', 'workflows', 'index.ts'),
    // The interceptors that emit the pipeline metrics (src/worker.ts registers them when it bundles).
    workflowInterceptorModules: [join(root, 'src', 'workflows', 'metrics-interceptor.ts')],
  });
  // Where the production image expects it.
  const imagePath = join(root, 'dist', 'workflow-bundle.js');
  const out = process.argv[2] === undefined ? imagePath : join(process.argv[2], basename(imagePath));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
