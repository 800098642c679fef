/**
 * Streams a local file into an AI Hub batch: one raw PUT up to {@link MULTIPART_THRESHOLD_BYTES},
 * a multipart session above it. Files are never read into memory whole. Uploading the same
 * filename again overwrites it, so a retried upload is idempotent.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import { MULTIPART_THRESHOLD_BYTES } from './endpoints';
import type { AihubClient } from './client';
import type { CallOptions } from './http';

/** Options of an upload: the per-request call options plus a progress callback. */
export interface UploadOptions extends CallOptions {
  /** Called as bytes are handed to the connection, with the running total over all parts. */
  onProgress?: ((bytesSent: number, totalBytes: number) => void) | undefined;
}

/** What an upload did. */
export interface UploadResult {
  /** Size of the uploaded file. */
  bytes: number;
  /** Whether it went through a multipart session. */
  multipart: boolean;
}

/** The `AihubClient` calls an upload makes. */
export type UploadCalls = Pick<
  AihubClient,
  'putBatchFile' | 'startMultipartUpload' | 'putMultipartPart' | 'finishMultipartUpload'
>;

/** How long the best-effort abort of a failed multipart session may take. @default 10000 */
const ABORT_SESSION_TIMEOUT_MS = 10_000;

/** Uploads the file at `filePath` into batch `batchId` under `filename`. */
export async function uploadFile(
  calls: UploadCalls,
  batchId: number,
  filename: string,
  filePath: string,
  opts: UploadOptions = {},
): Promise<UploadResult> {
  const { onProgress, ...callOpts } = opts;
  const { size } = await stat(filePath);
  let sent = 0;
  const open = (start: number, length: number): Readable => {
    const file = createReadStream(filePath, { start, end: start + length - 1 });
    if (!onProgress) return file;
    return counted(file, (n) => {
      sent += n;
      onProgress(sent, size);
    });
  };

  if (size <= MULTIPART_THRESHOLD_BYTES) {
    // createReadStream with end -1 would read the whole file; an empty file needs an empty body.
    const body = size === 0 ? Buffer.alloc(0) : open(0, size);
    await withStream(body, () => calls.putBatchFile(batchId, filename, body, size, callOpts));
    return { bytes: size, multipart: false };
  }

  const session = await calls.startMultipartUpload(
    { batch_id: batchId, filename, file_size: size },
    callOpts,
  );
  try {
    const parts: { part_num: number; part_id: string }[] = [];
    for (let partNum = 1, start = 0; start < size; partNum++, start += session.part_size) {
      const length = Math.min(session.part_size, size - start);
      const body = open(start, length);
      const part = await withStream(body, () =>
        calls.putMultipartPart(session.session_id, partNum, body, length, callOpts),
      );
      parts.push({ part_num: partNum, part_id: part.part_id });
    }
    await calls.finishMultipartUpload(session.session_id, { action: 'commit', parts }, callOpts);
  } catch (err) {
    // Best effort: the caller's signal may have fired already, so the abort runs on its own timeout.
    await calls
      .finishMultipartUpload(session.session_id, { action: 'abort' }, { timeoutMs: ABORT_SESSION_TIMEOUT_MS })
      .catch(() => undefined);
    throw err;
  }
  return { bytes: size, multipart: true };
}

/** Runs `send` and then releases the stream (and its file descriptor) whatever happened. */
async function withStream<T>(body: Buffer | Readable, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } finally {
    if (!Buffer.isBuffer(body)) body.destroy();
  }
}

/** Pipes `source` through a transform that reports each chunk's size. */
function counted(source: ReadStream, onChunk: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk.length);
      callback(null, chunk);
    },
  });
  pipeline(source, counter, () => undefined);
  return counter;
}
