/**
 * `hubrun hook`: the run-finished hook as a process of its own (src/hook). It needs the Temporal
 * connection and `HUBRUN_HOOK_SECRET` (or `_FILE`), never the AI Hub token; it listens on
 * `HUBRUN_HOOK_ADDRESS` until SIGINT or SIGTERM and logs one line per notification on stderr.
 */
import type { Command } from 'commander';
import { connectClient } from '../client';
import { loadHookConfig } from '../config';
import { HOOK_PATH, startHookServer } from '../hook';

/** Adds `hook` to the CLI. */
export function addHookCommand(cli: Command): void {
  cli
    .command('hook')
    .description(
      `take AI Hub's run notifications (POST ${HOOK_PATH}, secret in X-Hubrun-Hook-Secret) and signal each run's pipeline checkNow`,
    )
    .action(() => hookCommand());
}

async function hookCommand(): Promise<void> {
  const config = loadHookConfig();
  const client = await connectClient(config);
  try {
    const server = await startHookServer({
      client,
      secret: config.secret,
      host: config.host,
      port: config.port,
      onNotification: ({ status, runId, workflowId }) =>
        console.error(`hook: ${status} run ${runId ?? '-'}${workflowId ? ` -> ${workflowId}` : ''}`),
    });
    console.error(`hook: listening on ${server.url}${HOOK_PATH}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
  } finally {
    await client.connection.close();
  }
}
