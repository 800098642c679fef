/** The batch endpoints: create, list, get, delete, list files, upload a file, delete a file. */
import type { FastifyInstance } from 'fastify';
import { aihubLimits } from '../aihub/endpoints';
import { CreateBatchRequest, ListBatchesQuery, ListBatchFilesQuery } from '../aihub/schemas';
import type {
  CreateBatchResponse,
  DeleteBatchResponse,
  ListBatchesResponse,
  ListBatchFilesResponse,
} from '../aihub/schemas';
import { batchFileNames, batchFileNode, batchInfo, removeBatch } from './batches';
import { EMULATOR_DEFAULT_CONTEXT } from './catalogue';
import type { EmulatorContext } from './context';
import { badFileName } from './file-store';
import { HttpError, badRequest, parseWith, positiveInt, sendJson } from './http-util';
import { createJob } from './jobs';
import { apiRoute } from './route';
import type { StoredBatch } from './state-store';
import { uploadBody } from './upload-body';
import { DEFAULT_WORKSPACE, EMULATOR_USER, listDefaults } from './undocumented';

/** The batch named by a path parameter, or a 404 with a body. */
export function findBatch(ctx: EmulatorContext, idText: string): StoredBatch {
  const id = positiveInt(idText);
  const batch = id === null ? undefined : ctx.store.state.batches[String(id)];
  if (!batch) throw new HttpError(404, `batch ${idText} not found`);
  return batch;
}

/** A file name from the path, or a 400 naming `filename`. */
export function checkFileName(name: string): string {
  const problem = badFileName(name);
  if (problem !== null) throw badRequest('filename', problem);
  return name;
}

/** Registers the batch endpoints on the `/api` scope. */
export function registerBatchRoutes(api: FastifyInstance, ctx: EmulatorContext): void {
  const { store, files } = ctx;

  apiRoute(api, 'createBatch', async (request, reply) => {
    const body = parseWith(CreateBatchRequest, request.body);
    const state = store.state;
    const id = state.nextBatchId++;
    const nowMs = ctx.settings.now();
    const context = request.headers['ib-context'];
    state.batches[String(id)] = {
      id,
      name: body.name,
      workspace: body.workspace ?? DEFAULT_WORKSPACE,
      repoOwner: typeof context === 'string' && context !== '' ? context : EMULATOR_DEFAULT_CONTEXT,
      batchOwner: EMULATOR_USER,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      files: {},
    };
    await store.save();
    const answer: CreateBatchResponse = { id };
    return sendJson(reply, 200, answer);
  });

  apiRoute(api, 'listBatches', async (request, reply) => {
    const query = parseWith(ListBatchesQuery, request.query, 'query');
    const all = Object.values(store.state.batches)
      .filter(
        (b) =>
          (query.workspace === undefined || b.workspace === query.workspace) &&
          (query.username === undefined || b.batchOwner === query.username),
      )
      .sort((a, b) => a.id - b.id);
    const offset = query.offset ?? 0;
    const answer: ListBatchesResponse = {
      batches: all.slice(offset, offset + (query.limit ?? listDefaults.batchesLimit)).map(batchInfo),
    };
    return sendJson(reply, 200, answer);
  });

  apiRoute(api, 'getBatch', async (request, reply) => {
    return sendJson(reply, 200, batchInfo(findBatch(ctx, request.params.batchId as string)));
  });

  apiRoute(api, 'deleteBatch', async (request, reply) => {
    const batch = findBatch(ctx, request.params.batchId as string);
    const answer: DeleteBatchResponse = {
      job_id: createJob(store.state, `delete batch ${batch.id}`, ctx.settings.now()),
    };
    await removeBatch(ctx, batch);
    await store.save();
    return sendJson(reply, 202, answer);
  });

  apiRoute(api, 'listBatchFiles', async (request, reply) => {
    const query = parseWith(ListBatchFilesQuery, request.query, 'query');
    const batch = findBatch(ctx, request.params.batchId as string);
    // The page token is the offset of the next file, in decimal.
    const start =
      query.start_token === undefined || query.start_token === '' ? 0 : positiveInt(query.start_token);
    if (start === null) throw badRequest('start_token', 'not a token this server issued');
    const names = batchFileNames(batch);
    const pageSize = query.page_size ?? listDefaults.batchFilesPageSize;
    const page = names.slice(start, start + pageSize);
    const hasMore = start + page.length < names.length;
    // The spec types next_page_token as a string, not nullable: the last page leaves it out.
    const answer: ListBatchFilesResponse = {
      nodes: page.map((name) => batchFileNode(batch, name)),
      ...(hasMore ? { next_page_token: String(start + page.length) } : {}),
      has_more: hasMore,
    };
    return sendJson(reply, 200, answer);
  });

  apiRoute(
    api,
    'putBatchFile',
    async (request, reply) => {
      const batch = findBatch(ctx, request.params.batchId as string);
      const name = checkFileName(request.params.filename as string);
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > aihubLimits.maxFileBytes) {
        throw badRequest('body', `a file holds at most ${aihubLimits.maxFileBytes} bytes (${declared} sent)`);
      }
      const size = await files.writeStream(
        uploadBody(request.body),
        files.batchFilePath(batch.id, name),
        aihubLimits.maxFileBytes,
      );
      const nowMs = ctx.settings.now();
      if (!store.state.batches[String(batch.id)]) throw new HttpError(404, `batch ${batch.id} was deleted`);
      batch.files[name] = { size, modifiedMs: nowMs };
      batch.updatedAtMs = nowMs;
      await store.save();
      return reply.code(204).send();
    },
    { bodyLimit: aihubLimits.maxFileBytes },
  );

  apiRoute(api, 'deleteBatchFile', async (request, reply) => {
    const batch = findBatch(ctx, request.params.batchId as string);
    const name = checkFileName(request.params.filename as string);
    if (!batch.files[name]) throw new HttpError(404, `file '${name}' not found in batch ${batch.id}`);
    delete batch.files[name];
    batch.updatedAtMs = ctx.settings.now();
    await files.remove(files.batchFilePath(batch.id, name));
    await store.save();
    return reply.code(202).send();
  });
}
