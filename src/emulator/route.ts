/** Registers API routes by their endpoint name, so call counting and fault rules speak the same names. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endpoints } from '../aihub/endpoints';
import type { EndpointName } from '../aihub/endpoints';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The AI Hub endpoint a route serves (API routes only). */
    endpoint?: EndpointName;
  }
}

/** A route handler; path parameters arrive as strings. */
export type ApiHandler = (
  request: FastifyRequest & { params: Record<string, string> },
  reply: FastifyReply,
) => Promise<FastifyReply>;

/** Registers `handler` at the method and path of `endpoint` (relative to the `/api` prefix). */
export function apiRoute(
  app: FastifyInstance,
  endpoint: EndpointName,
  handler: ApiHandler,
  options: { bodyLimit?: number } = {},
): void {
  const { method, path } = endpoints[endpoint];
  app.route({
    method,
    url: path,
    config: { endpoint },
    ...options,
    handler: (request, reply) =>
      handler(request as FastifyRequest & { params: Record<string, string> }, reply),
  });
}
