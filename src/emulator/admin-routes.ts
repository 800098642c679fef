/**
 * The admin surface under `/_emulator` (no auth: a local tool for tests, benchmarks and the demo,
 * answering loopback clients only unless `adminPublic`): health, call counts, statistics, runs
 * with internal details, runs a `slow-create` rule has yet to create, review completion, faults,
 * the app and deployment catalogue, the quota and drive files.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  AppBehaviourSchema,
  DeploymentBehaviourSchema,
  QuotaSchema,
  SeedHistorySchema,
} from './admin-schemas';
import type { EmulatorContext } from './context';
import { FaultRuleSchema } from './faults';
import { BadPathError } from './file-store';
import { HttpError, badRequest, parseWith } from './http-util';
import { seedPastRuns } from './run-history';
import { uploadBody } from './upload-body';

const FaultsBody = z.object({ rules: z.array(FaultRuleSchema) });
const TokensBody = z.object({ tokens: z.array(z.string().min(1)).min(1) });

/** Plain JSON (admin answers keep nanosecond timestamps as strings, unlike the API). */
function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Registers the admin routes (on a scope prefixed with `/_emulator`). */
export function registerAdminRoutes(admin: FastifyInstance, ctx: EmulatorContext): void {
  const { engine, registry, store, faults, calls, files } = ctx;

  admin.get('/health', async (_request, reply) => sendJson(reply, 200, { status: 'ok' }));

  admin.get('/calls', async (_request, reply) => sendJson(reply, 200, calls.snapshot()));
  admin.delete('/calls', async (_request, reply) => {
    calls.reset();
    return reply.code(204).send();
  });

  admin.get('/stats', async (_request, reply) => sendJson(reply, 200, engine.stats()));
  admin.delete('/stats', async (_request, reply) => {
    engine.resetStats();
    return reply.code(204).send();
  });

  admin.get('/runs', async (_request, reply) =>
    sendJson(reply, 200, { runs: Object.values(store.state.runs).map((run) => engine.details(run)) }),
  );

  admin.get('/pending-runs', async (_request, reply) => sendJson(reply, 200, { runs: ctx.pending.list() }));

  admin.post('/runs/:runId/review', async (request, reply) => {
    const { runId } = request.params as { runId: string };
    const run = store.state.runs[runId];
    if (!run) throw new HttpError(404, `run ${runId} not found`);
    if (!engine.completeReview(run)) {
      throw new HttpError(409, `run ${runId} is ${engine.view(run).status}, not STOPPED_AT_CHECKPOINT`);
    }
    await store.save();
    return sendJson(reply, 200, engine.details(run));
  });

  // Replaces the accepted bearer tokens, as a rotated AI Hub secret would (answers no token).
  admin.put('/tokens', async (request, reply) => {
    ctx.settings.tokens = new Set(parseWith(TokensBody, request.body).tokens);
    return reply.code(204).send();
  });

  admin.get('/faults', async (_request, reply) =>
    sendJson(reply, 200, { rules: faults.rules, fired: faults.fired }),
  );
  admin.put('/faults', async (request, reply) => {
    faults.set(parseWith(FaultsBody, request.body).rules);
    return sendJson(reply, 200, { rules: faults.rules, fired: faults.fired });
  });

  admin.get('/apps', async (_request, reply) =>
    sendJson(reply, 200, { apps: registry.apps(), deployments: registry.deployments() }),
  );
  admin.put('/apps', async (request, reply) => {
    const app = parseWith(AppBehaviourSchema, request.body);
    registry.putApp(app);
    await store.save();
    return sendJson(reply, 200, app);
  });
  // Finished runs in the past, a history for learned waits to plan from.
  admin.post('/apps/:appId/history', async (request, reply) => {
    const { appId } = request.params as { appId: string };
    const app = registry.appById(appId);
    if (!app) throw new HttpError(404, `app ${appId} not found`);
    const body = parseWith(SeedHistorySchema, request.body ?? {});
    if (body.deploymentId !== undefined && registry.deployment(body.deploymentId)?.appId !== appId) {
      throw badRequest('deploymentId', `no deployment ${body.deploymentId} of app ${appId}`);
    }
    const runIds = seedPastRuns(ctx, app, body);
    await store.save();
    return sendJson(reply, 200, { runIds });
  });
  admin.put('/deployments', async (request, reply) => {
    const deployment = parseWith(DeploymentBehaviourSchema, request.body);
    if (!registry.appById(deployment.appId)) throw badRequest('appId', `no app ${deployment.appId}`);
    registry.putDeployment(deployment);
    await store.save();
    return sendJson(reply, 200, deployment);
  });

  admin.get('/quota', async (_request, reply) =>
    sendJson(reply, 200, { remainingUnits: store.state.remainingUnits }),
  );
  admin.put('/quota', async (request, reply) => {
    store.state.remainingUnits = parseWith(QuotaSchema, request.body).remainingUnits;
    await store.save();
    return sendJson(reply, 200, { remainingUnits: store.state.remainingUnits });
  });

  admin.put('/drive/*', { bodyLimit: 1024 * 1024 * 1024 }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    let disk: string;
    try {
      disk = files.drivePath(path);
    } catch (err) {
      if (err instanceof BadPathError) throw badRequest('path', err.message);
      throw err;
    }
    await files.writeStream(uploadBody(request.body), disk, Number.MAX_SAFE_INTEGER);
    return reply.code(204).send();
  });
}
