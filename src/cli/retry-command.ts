/**
 * `hubrun retry ID [--failed]`: runs a failed, cancelled, terminated or timed-out pipeline again
 * under `<id>-retry-<n>`, taking over its AI Hub run when that run exists and neither FAILED nor
 * was cancelled (so no second run is started); with `--failed`, a new fan-out over a finished
 * fan-out's failed and cancelled children's inputs. `--wait` and `--json` work as for `hubrun run`.
 */
import type { Command } from 'commander';
import { connectClient, retryFanOut, retryPipeline, RetryRefusedError } from '../client';
import { loadClientConfig } from '../config';
import { finishFanOut, finishPipeline } from './run-command';
import { UsageError } from './usage-error';

/** Flags of `hubrun retry`. */
interface RetryFlags {
  failed?: boolean;
  wait?: boolean;
  json?: boolean;
}

/** Adds `hubrun retry` to the program. */
export function addRetryCommand(cli: Command): void {
  cli
    .command('retry')
    .description(
      "run a failed or cancelled pipeline again as <id>-retry-<n>, taking over its AI Hub run unless that run FAILED; --failed: a fan-out's failed children only",
    )
    .argument('<id>', 'workflow id of the pipeline (or, with --failed, the fan-out)')
    .option('--failed', "a fan-out: start a new one over its failed and cancelled children's inputs")
    .option('--wait', 'wait for the end with live progress; exit 0 only on success')
    .option('--json', 'print one JSON summary on stdout and nothing else')
    .action((id: string, flags: RetryFlags) => retryCommand(id, flags));
}

async function retryCommand(id: string, flags: RetryFlags): Promise<void> {
  const config = loadClientConfig();
  const client = await connectClient(config);
  try {
    const options = { taskQueue: config.taskQueue };
    if (flags.failed) {
      const redrive = await retryFanOut(client, id, options);
      if (!flags.json) {
        console.error(
          `retrying ${redrive.children} failed children of ${redrive.retryOf} as ${redrive.handle.workflowId}`,
        );
      }
      await finishFanOut(redrive.handle, flags);
    } else {
      const redrive = await retryPipeline(client, id, options);
      if (!flags.json) console.error(`retrying ${redrive.retryOf} as ${redrive.handle.workflowId}`);
      await finishPipeline(redrive.handle, flags);
    }
  } catch (err) {
    if (err instanceof RetryRefusedError) throw new UsageError(err.message);
    throw err;
  } finally {
    await client.connection.close();
  }
}
