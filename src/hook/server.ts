/**
 * The run-finished hook: an HTTP endpoint that takes AI Hub's run notification and signals the
 * run's pipeline `checkNow`, so a finished run is noticed at once while the pipeline's own checks
 * go on as a relaxed safety net (`wait.hook`). `POST /hooks/aihub-run` with the shared secret in
 * `X-Hubrun-Hook-Secret` (or `Authorization: Bearer`) and a body `{status, msg, job_id, input_dir,
 * output}` (AI Hub's former `webhook_config` notification) or `{run_id}`. Answers 202 with the
 * pipeline signalled, 401 for a missing or wrong secret, 404 when no running pipeline waits for
 * the run, 400 for a body that names no run; only a 202 changes anything. TLS is the deployment's
 * (a reverse proxy in front): the endpoint speaks plain HTTP and binds to loopback by default.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RunNotification } from '../aihub/schemas';
import { signalPipelineOfRun } from './find-pipeline';
import type { LookupOptions } from './find-pipeline';

/** Path of the notification endpoint. */
export const HOOK_PATH = '/hooks/aihub-run';
/** Header that carries the shared secret. */
export const HOOK_SECRET_HEADER = 'x-hubrun-hook-secret';

/** Options of {@link createHookApp} and {@link startHookServer}. */
export interface HookOptions {
  client: Client;
  /** The shared secret AI Hub's notification carries (`HUBRUN_HOOK_SECRET`). */
  secret: string;
  lookup?: LookupOptions;
  /** Called for every notification answered, for the process's log; never given the secret. */
  onNotification?: (event: { status: number; runId: string | null; workflowId: string | null }) => void;
}

/** Whether `given` is the secret, in constant time. */
function secretMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** The hook's HTTP application (Hono), for embedding or {@link startHookServer}. */
export function createHookApp(options: HookOptions): Hono {
  const app = new Hono();
  const report = options.onNotification ?? (() => undefined);
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.post(HOOK_PATH, bodyLimit({ maxSize: 64 * 1024 }), async (c) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    if (!secretMatches(c.req.header(HOOK_SECRET_HEADER) ?? bearer, options.secret)) {
      report({ status: 401, runId: null, workflowId: null });
      return c.json({ message: 'missing or wrong hook secret' }, 401);
    }
    const parsed = RunNotification.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      report({ status: 400, runId: null, workflowId: null });
      return c.json({ message: 'expected a JSON notification with run_id or job_id' }, 400);
    }
    const runId = parsed.data.run_id ?? parsed.data.job_id ?? '';
    const workflowId = await signalPipelineOfRun(options.client, runId, options.lookup);
    report({ status: workflowId === null ? 404 : 202, runId, workflowId });
    if (workflowId === null) return c.json({ message: `no running pipeline waits for run ${runId}` }, 404);
    return c.json({ runId, workflowId, signalled: 'checkNow' }, 202);
  });
  return app;
}

/** A listening hook server. */
export interface HookServer {
  /** `http://host:port`; the notification URL is this plus {@link HOOK_PATH}. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the hook on `host:port` (0: a free port). */
export async function startHookServer(
  options: HookOptions & { host?: string; port?: number },
): Promise<HookServer> {
  const app = createHookApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
