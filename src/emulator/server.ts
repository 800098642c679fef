/**
 * The emulator's HTTP server: the AI Hub API under `/api` (call log, then faults, then auth, then
 * the routes) and the admin surface under `/_emulator` (loopback clients only unless
 * `adminPublic`). Every error answer is `{message}`.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminRefusal } from './admin-access';
import { registerAdminRoutes } from './admin-routes';
import type { CallLogEntry } from './call-log';
import type { EmulatorContext } from './context';
import { retryAfterHeader } from './faults';
import { TooLargeError } from './file-store';
import { HttpError, sendError } from './http-util';
import { registerBatchRoutes } from './routes-batches';
import { registerJobRoutes } from './routes-jobs';
import { registerMultipartRoutes } from './routes-multipart';
import { registerRunRoutes } from './routes-runs';
import { registerRawBodyParser } from './upload-body';
import { undocumentedStatus } from './undocumented';

/** Path parameters (percent-encoded file names) may be long. */
const MAX_PARAM_LENGTH = 4096;

/** A delay that does not keep the process alive by itself (an injected delay must not outlive a closed emulator). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Registers the API hooks: call log, faults and auth, in that order. */
function registerApiHooks(api: FastifyInstance, ctx: EmulatorContext): void {
  const entries = new WeakMap<FastifyRequest, CallLogEntry>();
  const losing = new WeakSet<FastifyRequest>();
  /** Requests whose answer a `slow-response` rule holds back, and for how long (ms). */
  const slowed = new WeakMap<FastifyRequest, number>();

  api.addHook('onRequest', async (request, reply) => {
    const endpoint = request.routeOptions.config.endpoint;
    if (endpoint === undefined) return;
    const entry = ctx.calls.record(endpoint, request.method, request.url, ctx.settings.now());
    entries.set(request, entry);

    const { latencyMs, action, modes } = ctx.faults.decide(endpoint);
    ctx.decided.set(request, { arrivedMs: entry.at, modes });
    if (latencyMs > 0) await sleep(latencyMs);
    if (action?.kind === 'error') {
      entry.fault = 'error';
      const status = action.status ?? 500;
      const retryAfter = retryAfterHeader(action, ctx.settings.now());
      if (retryAfter !== undefined) {
        reply.header('retry-after', retryAfter);
        entry.retryAfter = retryAfter;
      }
      return sendError(reply, status, `injected fault: ${status}`);
    }
    if (action?.kind === 'drop') {
      entry.fault = 'drop';
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (action?.kind === 'lose-response') {
      entry.fault = 'lose-response';
      losing.add(request);
    }
    if (action?.kind === 'slow-response') {
      entry.fault = 'slow-response';
      slowed.set(request, action.latencyMs ?? 0);
    }

    const auth = request.headers.authorization;
    const token =
      typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null;
    if (token === null || !ctx.settings.tokens.has(token)) {
      return sendError(reply, 401, 'invalid or missing bearer token');
    }
    const context = request.headers['ib-context'];
    if (context !== undefined && (typeof context !== 'string' || !ctx.settings.contexts.has(context))) {
      return sendError(reply, 401, `IB-Context '${String(context)}' is not valid for this token`);
    }
  });

  // Runs a slow-create rule accepted come into existence before any call that could see them.
  api.addHook('preHandler', (_request, _reply, done) => {
    ctx.pending.createDue();
    done();
  });

  // lose-response / slow-response: the call was handled in full (side effects are durable); the
  // answer never leaves, or leaves late.
  api.addHook('onSend', async (request, _reply, payload) => {
    if (losing.has(request)) request.raw.socket.destroy();
    const holdMs = slowed.get(request);
    if (holdMs !== undefined && holdMs > 0) await sleep(holdMs);
    return payload;
  });

  api.addHook('onResponse', async (request, reply) => {
    const entry = entries.get(request);
    if (entry && entry.fault !== 'drop' && entry.fault !== 'lose-response') entry.status = reply.statusCode;
  });
}

/** Builds the Fastify instance (not yet listening). */
export async function buildServer(ctx: EmulatorContext, log: boolean): Promise<FastifyInstance> {
  const app = Fastify({
    logger: log,
    forceCloseConnections: true,
    exposeHeadRoutes: false, // a HEAD must not count as a status check
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  registerRawBodyParser(app);

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error.status, error.message);
    if (error instanceof TooLargeError) {
      return sendError(
        reply,
        undocumentedStatus.validation,
        `body: a file holds at most ${error.limit} bytes`,
      );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(reply, status, error instanceof Error ? error.message : String(error));
    }
    request.log.error(error);
    return sendError(reply, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route for ${request.method} ${request.url}`),
  );

  await app.register(
    (api, _options, done) => {
      registerApiHooks(api, ctx);
      registerRunRoutes(api, ctx);
      registerBatchRoutes(api, ctx);
      registerMultipartRoutes(api, ctx);
      registerJobRoutes(api, ctx);
      done();
    },
    { prefix: '/api' },
  );
  await app.register(
    (admin, _options, done) => {
      admin.addHook('onRequest', async (request, reply) => {
        const refusal = adminRefusal(request.socket.remoteAddress, ctx.settings.adminPublic);
        if (refusal !== null) return sendError(reply, 403, refusal);
      });
      admin.addHook('preHandler', (_request, _reply, done) => {
        ctx.pending.createDue();
        done();
      });
      registerAdminRoutes(admin, ctx);
      done();
    },
    { prefix: '/_emulator' },
  );
  return app;
}
