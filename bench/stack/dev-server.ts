/**
 * A Temporal dev server (the Temporal CLI's `server start-dev`, in memory, no UI) on free ports,
 * started as a child process so the benchmarks can read its CPU and memory, with hubrun's search
 * attributes registered. Also answers the CLI's version for the report.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { waitForPort } from '../../src/dev/ports';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { searchAttributeKeys } from '../../src/search-attributes';
import { freePort } from '../../test/helpers/processes';

/** A running dev server and connections to it. */
export interface DevServer {
  address: string;
  pid: number;
  client: Client;
  /** For workers in this process. */
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** `temporal --version`, e.g. `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`. */
export function temporalCliVersion(): string {
  return execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim();
}

/** Starts a dev server on a free port; its log goes to `<logDir>/temporal.log`. */
export async function startDevServer(logDir: string): Promise<DevServer> {
  const port = await freePort();
  const log = openSync(join(logDir, 'temporal.log'), 'a');
  const child = spawn(
    temporalCliPath(),
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--headless',
      '--log-level',
      'error',
      ...searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ],
    { stdio: ['ignore', log, log] },
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal dev server exited with code ${code}`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPort(port, 60_000, 'the Temporal dev server'), exited]);
    const address = `127.0.0.1:${port}`;
    const connection = await Connection.connect({ address });
    const nativeConnection = await NativeConnection.connect({ address });
    return {
      address,
      pid: child.pid!,
      client: new Client({ connection, namespace: 'default' }),
      nativeConnection,
      async close() {
        await nativeConnection.close();
        await connection.close();
        await stopChild(child);
      },
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
