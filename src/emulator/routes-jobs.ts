/** The job endpoints (`/v2/jobs/{id}` and its older alias `/v2/batches/jobs/{id}`). */
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';
import { HttpError, sendJson } from './http-util';
import { pollJob } from './jobs';
import { apiRoute } from './route';
import type { ApiHandler } from './route';

/** Registers the job endpoints on the `/api` scope. */
export function registerJobRoutes(api: FastifyInstance, ctx: EmulatorContext): void {
  const getJob: ApiHandler = async (request, reply) => {
    const id = request.params.jobId as string;
    const job = ctx.store.state.jobs[id];
    if (!job) throw new HttpError(404, `job ${id} not found`);
    const answer = pollJob(job, ctx.settings.now());
    ctx.store.saveSoon();
    return sendJson(reply, 200, answer);
  };
  apiRoute(api, 'getJob', getJob);
  apiRoute(api, 'getBatchJob', getJob);
}
