/**
 * The typed AI Hub v2 client: one method per endpoint, every answer parsed with the zod schema of
 * `schemas.ts`. It does no retries of its own (Temporal owns retries); each call has a timeout
 * and honours an AbortSignal, and fails with an `AihubHttpError`, `AihubNetworkError`
 * or `AihubSchemaError` (see `errors.ts`).
 */
import { AihubTransport, type AihubExchange, type CallOptions } from './http';
import type { TokenSource } from './token-source';
import {
  BatchInfo,
  CreateBatchResponse,
  DeleteBatchResponse,
  DeleteRunResponse,
  Job,
  ListBatchesResponse,
  ListBatchFilesResponse,
  ListRunsResponse,
  MultipartPartResponse,
  Run,
  RunResultsPage,
  StartMultipartUploadResponse,
  type CreateBatchRequest,
  type DeleteRunQuery,
  type FinishMultipartUploadRequest,
  type ListBatchesQuery,
  type ListBatchFilesQuery,
  type ListRunsQuery,
  type RunAppRequest,
  type RunDeploymentRequest,
  type RunResultsQuery,
  type StartMultipartUploadRequest,
} from './schemas';
import { uploadFile as streamFileToBatch, type UploadOptions, type UploadResult } from './upload';

export type { CallOptions } from './http';

/** How to reach AI Hub. */
export interface AihubClientOptions {
  /** API root such as `https://aihub.instabase.com/api`; a trailing slash is ignored. */
  apiRoot: string;
  /**
   * Bearer token, or a {@link TokenSource} whose token may change (a rotated secret file); kept
   * in private fields and never put into an error.
   */
  token: string | TokenSource;
  /** `IB-Context` header value; the header is omitted when unset. */
  ibContext?: string | undefined;
  /** Total time one HTTP request may take, body included, in milliseconds (0: none). @default 30000 */
  timeoutMs?: number;
  /** `User-Agent` header value. @default 'hubrun' */
  userAgent?: string;
  /** Told of every HTTP exchange once it ends (the worker counts them as metrics). */
  onExchange?: ((exchange: AihubExchange) => void) | undefined;
}

/** Default timeout of one HTTP request. @default 30000 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Default page size of {@link AihubClient.listAllRuns} and {@link AihubClient.listAllBatches}. @default 100 */
export const DEFAULT_LIST_RUNS_LIMIT = 100;

/**
 * Pages an AI Hub list that has no total and no `has_more` (runs, batches): `offset` advances
 * by the page's length until a page comes back shorter than `limit`.
 */
async function* pageByOffset<T>(
  limit: number,
  fetchPage: (offset: number) => Promise<T[]>,
): AsyncGenerator<T> {
  for (let offset = 0; ;) {
    const page = await fetchPage(offset);
    yield* page;
    if (page.length < limit) return;
    offset += page.length;
  }
}

/** A typed AI Hub v2 client without retries of its own; each call resolves with a parsed body or throws an `AihubError`. */
export class AihubClient {
  readonly #transport: AihubTransport;

  constructor(options: AihubClientOptions) {
    this.#transport = new AihubTransport({
      apiRoot: options.apiRoot,
      token: options.token,
      ibContext: options.ibContext,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      userAgent: options.userAgent ?? 'hubrun',
      onExchange: options.onExchange,
    });
  }

  /** Starts a run of an app (`POST /v2/apps/runs`); not idempotent: each call is a new, billed run. */
  runApp(body: RunAppRequest, opts?: CallOptions): Promise<Run> {
    return this.#transport.json({ endpoint: 'runApp', json: body }, Run, opts);
  }

  /** Starts a run of a deployment (`POST /v2/apps/deployments/{id}/runs`); not idempotent either. */
  runDeployment(deploymentId: string, body: RunDeploymentRequest, opts?: CallOptions): Promise<Run> {
    return this.#transport.json(
      { endpoint: 'runDeployment', params: { deploymentId }, json: body },
      Run,
      opts,
    );
  }

  /** Reads a run's status (`GET /v2/apps/runs/{id}`). */
  getRun(runId: string, opts?: CallOptions): Promise<Run> {
    return this.#transport.json({ endpoint: 'getRun', params: { runId } }, Run, opts);
  }

  /** Reads one page of a run's results; ask again with `file_offset += files.length` while `has_more`. */
  getRunResults(runId: string, query?: RunResultsQuery, opts?: CallOptions): Promise<RunResultsPage> {
    return this.#transport.json(
      { endpoint: 'getRunResults', params: { runId }, query },
      RunResultsPage,
      opts,
    );
  }

  /** Lists one page of runs; array filters such as `status` are sent as repeated parameters. */
  async listRuns(query?: ListRunsQuery, opts?: CallOptions): Promise<Run[]> {
    return (await this.#transport.json({ endpoint: 'listRuns', query }, ListRunsResponse, opts)).runs;
  }

  /** Lists every matching run, paging with `offset` until a short page. `limit` @default 100 */
  listAllRuns(query: Omit<ListRunsQuery, 'offset'>, opts?: CallOptions): AsyncGenerator<Run> {
    const limit = query.limit ?? DEFAULT_LIST_RUNS_LIMIT;
    return pageByOffset(limit, (offset) => this.listRuns({ ...query, limit, offset }, opts));
  }

  /** Deletes a run's data (it does not stop the run); answers the deletion jobs to poll. */
  deleteRun(runId: string, query?: DeleteRunQuery, opts?: CallOptions): Promise<DeleteRunResponse> {
    return this.#transport.json({ endpoint: 'deleteRun', params: { runId }, query }, DeleteRunResponse, opts);
  }

  /** Creates an empty batch (`POST /v2/batches`). */
  createBatch(body: CreateBatchRequest, opts?: CallOptions): Promise<CreateBatchResponse> {
    return this.#transport.json({ endpoint: 'createBatch', json: body }, CreateBatchResponse, opts);
  }

  /** Lists batches (`GET /v2/batches`). */
  async listBatches(query?: ListBatchesQuery, opts?: CallOptions): Promise<BatchInfo[]> {
    return (await this.#transport.json({ endpoint: 'listBatches', query }, ListBatchesResponse, opts))
      .batches;
  }

  /** Lists every matching batch, paging with `offset` until a short page. `limit` @default 100 */
  listAllBatches(
    query: Omit<ListBatchesQuery, 'offset'> = {},
    opts?: CallOptions,
  ): AsyncGenerator<BatchInfo> {
    const limit = query.limit ?? DEFAULT_LIST_RUNS_LIMIT;
    return pageByOffset(limit, (offset) => this.listBatches({ ...query, limit, offset }, opts));
  }

  /** Describes a batch; 404 when it is missing or not accessible. */
  getBatch(batchId: number, opts?: CallOptions): Promise<BatchInfo> {
    return this.#transport.json({ endpoint: 'getBatch', params: { batchId } }, BatchInfo, opts);
  }

  /** Deletes a batch asynchronously; answers the job to poll. */
  deleteBatch(batchId: number, opts?: CallOptions): Promise<DeleteBatchResponse> {
    return this.#transport.json({ endpoint: 'deleteBatch', params: { batchId } }, DeleteBatchResponse, opts);
  }

  /** Lists one page of a batch's files. */
  listBatchFiles(
    batchId: number,
    query?: ListBatchFilesQuery,
    opts?: CallOptions,
  ): Promise<ListBatchFilesResponse> {
    return this.#transport.json(
      { endpoint: 'listBatchFiles', params: { batchId }, query },
      ListBatchFilesResponse,
      opts,
    );
  }

  /** Puts one file's raw bytes into a batch (overwriting the same name); `size` is its Content-Length. */
  putBatchFile(
    batchId: number,
    filename: string,
    body: Buffer | NodeJS.ReadableStream,
    size: number,
    opts?: CallOptions,
  ): Promise<void> {
    return this.#transport.void(
      { endpoint: 'putBatchFile', params: { batchId, filename }, bytes: { body, size } },
      opts,
    );
  }

  /** Deletes one file of a batch. */
  deleteBatchFile(batchId: number, filename: string, opts?: CallOptions): Promise<void> {
    return this.#transport.void({ endpoint: 'deleteBatchFile', params: { batchId, filename } }, opts);
  }

  /** Opens a multipart upload session; answers its id and the part size to cut the file into. */
  startMultipartUpload(
    body: StartMultipartUploadRequest,
    opts?: CallOptions,
  ): Promise<StartMultipartUploadResponse> {
    return this.#transport.json(
      { endpoint: 'startMultipartUpload', json: body },
      StartMultipartUploadResponse,
      opts,
    );
  }

  /** Uploads part `partNum` (from 1) of a multipart session; `size` is its Content-Length. */
  putMultipartPart(
    sessionId: string,
    partNum: number,
    body: Buffer | NodeJS.ReadableStream,
    size: number,
    opts?: CallOptions,
  ): Promise<MultipartPartResponse> {
    return this.#transport.json(
      { endpoint: 'putMultipartPart', params: { sessionId, partNum }, bytes: { body, size } },
      MultipartPartResponse,
      opts,
    );
  }

  /** Commits the uploaded parts of a session, or aborts it. */
  finishMultipartUpload(
    sessionId: string,
    body: FinishMultipartUploadRequest,
    opts?: CallOptions,
  ): Promise<void> {
    return this.#transport.void(
      { endpoint: 'finishMultipartUpload', params: { sessionId }, json: body },
      opts,
    );
  }

  /**
   * Streams a local file into a batch: a single PUT up to 10 MB, a multipart session above (a
   * failed session is aborted, best effort, and the original error rethrown). The timeout applies
   * to each HTTP request, so to each part.
   */
  uploadFile(
    batchId: number,
    filename: string,
    filePath: string,
    opts?: UploadOptions,
  ): Promise<UploadResult> {
    return streamFileToBatch(this, batchId, filename, filePath, opts);
  }

  /** Reads the state of an asynchronous job (`GET /v2/jobs/{id}`). */
  getJob(jobId: string, opts?: CallOptions): Promise<Job> {
    return this.#transport.json({ endpoint: 'getJob', params: { jobId } }, Job, opts);
  }
}
