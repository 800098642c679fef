/**
 * Multipart uploads: a session per file, parts streamed to `<dataDir>/multipart/<session>/<n>`,
 * each exactly `part_size` bytes except the last; commit concatenates them into the batch file.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { aihubLimits } from '../aihub/endpoints';
import { FinishMultipartUploadRequest, StartMultipartUploadRequest } from '../aihub/schemas';
import type { MultipartPartResponse, StartMultipartUploadResponse } from '../aihub/schemas';
import type { EmulatorContext } from './context';
import { HttpError, badRequest, parseWith, positiveInt, sendJson } from './http-util';
import { apiRoute } from './route';
import { checkFileName } from './routes-batches';
import type { StoredSession } from './state-store';
import { uploadBody } from './upload-body';

function partCount(session: StoredSession): number {
  return Math.max(1, Math.ceil(session.fileSize / session.partSize));
}

function findSession(ctx: EmulatorContext, id: string): StoredSession {
  const session = ctx.store.state.sessions[id];
  if (!session) throw new HttpError(404, `upload session ${id} not found`);
  return session;
}

/** Registers the multipart upload endpoints on the `/api` scope. */
export function registerMultipartRoutes(api: FastifyInstance, ctx: EmulatorContext): void {
  const { store, files } = ctx;

  apiRoute(api, 'startMultipartUpload', async (request, reply) => {
    const body = parseWith(StartMultipartUploadRequest, request.body);
    if (!store.state.batches[String(body.batch_id)])
      throw new HttpError(404, `batch ${body.batch_id} not found`);
    const filename = checkFileName(body.filename);
    if (body.file_size > aihubLimits.maxFileBytes) {
      throw badRequest('file_size', `a file holds at most ${aihubLimits.maxFileBytes} bytes`);
    }
    const id = `mpu-${randomBytes(10).toString('hex')}`;
    const session: StoredSession = {
      id,
      batchId: body.batch_id,
      filename,
      fileSize: body.file_size,
      partSize: ctx.settings.multipartPartSize,
      createdAtMs: ctx.settings.now(),
      parts: {},
    };
    store.state.sessions[id] = session;
    await store.save();
    const answer: StartMultipartUploadResponse = { session_id: id, part_size: session.partSize };
    reply.header('location', `/api/v2/batches/multipart-upload/sessions/${id}`);
    return sendJson(reply, 201, answer);
  });

  apiRoute(
    api,
    'putMultipartPart',
    async (request, reply) => {
      const session = findSession(ctx, request.params.sessionId as string);
      const total = partCount(session);
      const partNum = positiveInt(request.params.partNum as string);
      if (partNum === null || partNum > total) {
        throw badRequest('part_num', `parts are numbered 1..${total} for this session`);
      }
      const expected = partNum < total ? session.partSize : session.fileSize - (total - 1) * session.partSize;
      const declared = request.headers['content-length'];
      if (declared !== undefined && Number(declared) > expected) {
        throw badRequest(
          'part_num',
          `part ${partNum} must hold exactly ${expected} bytes (${declared} sent)`,
        );
      }
      const path = files.partPath(session.id, partNum);
      const size = await files.writeStream(uploadBody(request.body), path, expected);
      if (size !== expected) {
        await files.remove(path);
        throw badRequest('part_num', `part ${partNum} must hold exactly ${expected} bytes (${size} sent)`);
      }
      if (!store.state.sessions[session.id])
        throw new HttpError(404, `upload session ${session.id} was closed`);
      const partId = `part-${partNum}-${randomBytes(6).toString('hex')}`;
      session.parts[String(partNum)] = { id: partId, size };
      await store.save();
      const answer: MultipartPartResponse = { part_id: partId, part_num: partNum };
      return sendJson(reply, 201, answer);
    },
    { bodyLimit: aihubLimits.maxFileBytes },
  );

  apiRoute(api, 'finishMultipartUpload', async (request, reply) => {
    const session = findSession(ctx, request.params.sessionId as string);
    const body = parseWith(FinishMultipartUploadRequest, request.body);
    const state = store.state;
    if (body.action === 'commit') {
      const total = partCount(session);
      const given = [...body.parts].sort((a, b) => a.part_num - b.part_num);
      const numbers = given.map((p) => p.part_num).join(',');
      const wanted = Array.from({ length: total }, (_, i) => i + 1).join(',');
      if (numbers !== wanted) throw badRequest('parts', `list each part 1..${total} once (got ${numbers})`);
      for (const part of given) {
        const stored = session.parts[String(part.part_num)];
        if (!stored) throw badRequest('parts', `part ${part.part_num} was not uploaded`);
        if (stored.id !== part.part_id)
          throw badRequest('parts', `part ${part.part_num} has id ${stored.id}`);
      }
      const batch = state.batches[String(session.batchId)];
      if (!batch) throw new HttpError(404, `batch ${session.batchId} not found`);
      const size = await files.concat(
        given.map((p) => files.partPath(session.id, p.part_num)),
        files.batchFilePath(batch.id, session.filename),
      );
      if (size !== session.fileSize) {
        throw badRequest('file_size', `the parts hold ${size} bytes, not the announced ${session.fileSize}`);
      }
      const nowMs = ctx.settings.now();
      batch.files[session.filename] = { size, modifiedMs: nowMs };
      batch.updatedAtMs = nowMs;
    }
    delete state.sessions[session.id];
    await files.remove(files.sessionDir(session.id));
    await store.save();
    return reply.code(201).send();
  });
}
