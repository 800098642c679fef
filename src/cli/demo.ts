/**
 * `hubrun demo`: brings the local stack up (or reuses what is already running), uploads the
 * sample invoices in `examples/invoices/` as a batch, runs the `invoices` app over them with live
 * progress, and prints the summary, the results path and the Temporal UI link of the workflow.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectClient, startPipeline } from '../client';
import { loadConfig } from '../config';
import { isListening } from '../dev/ports';
import { startLocalStack } from '../dev/stack';
import { projectRoot } from '../dev/temporal-binaries';
import { installRuntime } from '../worker';
import { printPipelineResult } from './print-results';
import { formatSeconds, watchPipeline } from './watch';

/** The sample documents the demo processes. */
export const examplesDir = join(projectRoot, 'examples', 'invoices');

/** Runs the demo; resolves when the pipeline has completed and the stack is stopped. */
export async function runDemo(): Promise<void> {
  // The demo's own worker reads the sample invoices wherever the checkout is, whatever the roots say.
  const loaded = loadConfig();
  const config = { ...loaded, filesRoots: [...loaded.filesRoots, examplesDir] };
  installRuntime({ logLevel: 'WARN', metricsAddress: undefined });
  const stack = await startLocalStack(config);
  try {
    console.log(
      stack.started.length > 0 ? `started: ${stack.started.join('; ')}` : 'reusing the running stack',
    );
    const files = (await readdir(examplesDir))
      .filter((f) => !f.startsWith('.'))
      .map((f) => join(examplesDir, f));
    const client = await connectClient(config);
    try {
      const workflowId = `hubrun-demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const handle = await startPipeline(
        client,
        // A demo wants to see the run finish promptly: check every second or two, not the 5 s-and-up default.
        {
          workflowId,
          appName: 'invoices',
          files,
          wait: { initialIntervalSeconds: 1, maxIntervalSeconds: 2 },
        },
        { taskQueue: config.taskQueue },
      );
      const uiLink = `${stack.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;
      console.log(`pipeline ${workflowId}: ${files.length} files from ${examplesDir}`);
      console.log(`watch it: ${uiLink}`);
      const startedAt = Date.now();
      const summary = await watchPipeline(handle, handle.result(), process.stdout);
      console.log(`done in ${formatSeconds((Date.now() - startedAt) / 1000)}`);
      printPipelineResult(summary);
      console.log(`workflow: ${uiLink}`);
      if (summary.files !== files.length) {
        throw new Error(`expected results for ${files.length} files, got ${summary.files}`);
      }
    } finally {
      await client.connection.close();
    }
  } finally {
    await stack.stop();
  }
}

/** `hubrun dev`: the local stack until Ctrl-C. */
export async function runDev(): Promise<void> {
  const config = loadConfig();
  const metricsPort = Number(config.metricsAddress?.split(':').pop());
  if (config.metricsAddress !== undefined && (await isListening(metricsPort))) {
    throw new Error(
      `port ${metricsPort} (worker metrics, HUBRUN_METRICS_ADDRESS) is already in use, perhaps by another ` +
        'hubrun worker: set HUBRUN_METRICS_ADDRESS to another host:port, or to off',
    );
  }
  installRuntime(config);
  const stack = await startLocalStack(config);
  console.log(
    stack.started.length > 0 ? `started: ${stack.started.join('; ')}` : 'reusing the running stack',
  );
  console.log(`Temporal UI: ${stack.uiUrl}`);
  console.log('In another shell:');
  console.log(`  export TEMPORAL_ADDRESS=${stack.temporalAddress}`);
  if (config.aihub === undefined) {
    console.log(
      `  export AIHUB_API_ROOT=${stack.aihub.apiRoot}  # the emulator; token: ${stack.aihub.token}`,
    );
  }
  console.log('Ctrl-C stops what this command started.');
  const stopOnSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.race([stopOnSignal, stack.workerDone]);
  await stack.stop();
}
