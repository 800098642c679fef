/**
 * The S3 results sink: `<prefix>/<workflow id>/<workflow run id>/results.jsonl` and
 * `manifest.json` in a bucket of any S3-compatible store (AWS S3, MinIO, Ceph, R2), written
 * with the AWS SDK for JavaScript v3.
 *
 * Why per-page objects rather than one multipart upload heartbeated across attempts: S3 refuses
 * multipart parts under 5 MiB (but the last), and a results page is often a few kilobytes, so
 * pages cannot map to parts; buffering 5 MiB between checkpoints would lose up to 5 MiB of paging
 * on every crash. Instead each page is one small object, `parts/<file offset>-<attempt>.jsonl`,
 * written with PutObject before the offset is heartbeated: a retried attempt lists the parts its
 * predecessor's checkpoint records, checks each is there with the recorded size, and pages on from
 * there; a missing part (another store, a lifecycle rule) means paging again from the first file.
 * The attempt in the key means an attempt that lost its heartbeat (a zombie) never overwrites a
 * part the checkpoint of its successor names. When paging ends, the parts the checkpoint names are
 * streamed, in order, into `results.jsonl` through `@aws-sdk/lib-storage`'s `Upload` (one PutObject
 * when small, a multipart upload when large) with `If-None-Match: *`, so, as the file sink's
 * `link(2)`, a published `results.jsonl` is never replaced: an attempt that finds one already
 * there (412) describes those bytes instead. S3 objects appear whole or not at all, so no reader
 * ever sees a partial `results.jsonl`. `manifest.json`, with the sha256 of `results.jsonl` as
 * stored, is written last and marks the result complete; only then are the parts deleted. A
 * read's 404 means "no such object" unless S3 names it `NoSuchBucket`; what S3 errors end the
 * delivery for good is decided in `s3-refusals.ts`.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ResultFile } from '../../aihub';
import type { ResultCounts } from '../../results';
import { addCounts, countFile, resultFileNames } from '../results-sink';
import type { Manifest, PublishedResults } from '../results-sink';
import { objectUrl } from './results-url';
import { isAbsent } from './s3-refusals';

/** One page object: the file offset it starts at, the attempt that wrote it, its size in bytes. */
export type S3Part = [fileOffset: number, attempt: number, bytes: number];

/** Settings of the S3 client beyond what the AWS SDK reads itself (region, endpoint, credentials). */
export interface S3SinkOptions {
  /** Path-style requests (`http://host/bucket/key`), as MinIO and most self-hosted stores want. @default false */
  forcePathStyle?: boolean;
}

/** Builds an S3 client the AWS SDK's usual way: `AWS_REGION`, `AWS_ENDPOINT_URL_S3`, the credential chain. */
export function createS3Client(options: S3SinkOptions = {}): S3Client {
  return new S3Client({ forcePathStyle: options.forcePathStyle ?? false });
}

/** Thrown when a part the checkpoint names vanished before it was assembled; paging must start again. */
export class MissingPartError extends Error {
  constructor(key: string) {
    super(`results part ${key} is missing from the store`);
    this.name = 'MissingPartError';
  }
}

/** One pipeline execution's results in a bucket (see the module comment). */
export class S3ResultsStore {
  /** The key prefix of this execution's folder, without a trailing `/`. */
  readonly base: string;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    prefix: string,
    workflowId: string,
    workflowRunId: string,
    private readonly signal?: AbortSignal,
  ) {
    this.base = [prefix, workflowId, workflowRunId].filter((s) => s !== '').join('/');
  }

  /** The `s3://` URL of `results.jsonl`. */
  get resultsUrl(): string {
    return objectUrl(this.bucket, this.key(resultFileNames.results));
  }

  /** The `s3://` URL of `manifest.json`. */
  get manifestUrl(): string {
    return objectUrl(this.bucket, this.key(resultFileNames.manifest));
  }

  /** The manifest when an earlier attempt finished (and `results.jsonl` has the size it names), or null. */
  async readCompleteManifest(): Promise<Manifest | null> {
    const text = await this.getText(this.key(resultFileNames.manifest));
    if (text === null) return null;
    let manifest: Manifest;
    try {
      manifest = JSON.parse(text) as Manifest;
    } catch {
      return null;
    }
    const size = await this.sizeOf(this.key(resultFileNames.results));
    return size === manifest.resultsBytes ? manifest : null;
  }

  /** True when every recorded part is in the bucket with its recorded size. */
  async hasParts(parts: readonly S3Part[]): Promise<boolean> {
    if (parts.length === 0) return true;
    const sizes = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.key('parts/'),
          ContinuationToken: token,
        }),
        { abortSignal: this.signal },
      );
      for (const item of page.Contents ?? []) if (item.Key) sizes.set(item.Key, item.Size ?? -1);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return parts.every((part) => sizes.get(this.partKey(part)) === part[2]);
  }

  /** Writes one page as its own object and returns the part that names it. */
  async putPart(fileOffset: number, attempt: number, files: readonly ResultFile[]): Promise<S3Part> {
    const body = Buffer.from(files.map((f) => JSON.stringify(f) + '\n').join(''));
    const part: S3Part = [fileOffset, attempt, body.length];
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.partKey(part),
        Body: body,
        ContentType: 'application/x-ndjson',
      }),
      { abortSignal: this.signal },
    );
    return part;
  }

  /**
   * Streams the parts, in order, into `results.jsonl`, unless one is already there: then that
   * object is described (its size, sha256 and counts), whoever wrote it.
   */
  async publish(parts: readonly S3Part[]): Promise<PublishedResults & { counts: ResultCounts | null }> {
    const hash = createHash('sha256');
    let bytes = 0;
    const chunks = this.partChunks(parts, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.key(resultFileNames.results),
        Body: Readable.from(chunks),
        ContentType: 'application/x-ndjson',
        IfNoneMatch: '*',
      },
    });
    const abort = (): void => void upload.abort();
    this.signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
      return { path: this.resultsUrl, bytes, sha256: hash.digest('hex'), ownBytes: true, counts: null };
    } catch (err) {
      if (!isStatus(err, 412)) throw err;
    } finally {
      this.signal?.removeEventListener('abort', abort);
    }
    const existing = await this.describeResults();
    return { path: this.resultsUrl, ...existing, ownBytes: false };
  }

  /** Writes `manifest.json`, the mark of completion, and returns its URL. */
  async writeManifest(manifest: Manifest): Promise<string> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(resultFileNames.manifest),
        Body: JSON.stringify(manifest, null, 2) + '\n',
        ContentType: 'application/json',
      }),
      { abortSignal: this.signal },
    );
    return this.manifestUrl;
  }

  /** Deletes every page object of this execution (after the manifest: they are no longer needed). */
  async deleteParts(): Promise<void> {
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key('parts/') }),
        { abortSignal: this.signal },
      );
      const keys = (page.Contents ?? []).flatMap((item) => (item.Key ? [{ Key: item.Key }] : []));
      if (keys.length === 0) return;
      await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        { abortSignal: this.signal },
      );
    }
  }

  private key(name: string): string {
    return this.base === '' ? name : `${this.base}/${name}`;
  }

  private partKey([fileOffset, attempt]: S3Part): string {
    return this.key(`parts/${String(fileOffset).padStart(12, '0')}-${attempt}.jsonl`);
  }

  private async *partChunks(parts: readonly S3Part[], seen: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
    for (const part of parts) {
      const key = this.partKey(part);
      const body = await this.getBody(key);
      if (body === null) throw new MissingPartError(key);
      let size = 0;
      for await (const chunk of body) {
        const buffer = Buffer.from(chunk as Uint8Array);
        size += buffer.length;
        seen(buffer);
        yield buffer;
      }
      if (size !== part[2]) throw new MissingPartError(`${key} (${size} bytes, ${part[2]} recorded)`);
    }
  }

  private async describeResults(): Promise<{ bytes: number; sha256: string; counts: ResultCounts }> {
    const body = await this.getBody(this.key(resultFileNames.results));
    if (body === null) throw new MissingPartError(this.key(resultFileNames.results));
    const hash = createHash('sha256');
    let bytes = 0;
    let counts: ResultCounts = { files: 0, documents: 0, fields: 0, fieldErrors: 0 };
    let rest = '';
    for await (const chunk of body) {
      const buffer = Buffer.from(chunk as Uint8Array);
      hash.update(buffer);
      bytes += buffer.length;
      const lines = (rest + buffer.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines)
        if (line !== '') counts = addCounts(counts, countFile(JSON.parse(line) as ResultFile));
    }
    if (rest !== '') counts = addCounts(counts, countFile(JSON.parse(rest) as ResultFile));
    return { bytes, sha256: hash.digest('hex'), counts };
  }

  private async getBody(key: string): Promise<Readable | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: this.signal,
      });
      return out.Body as Readable;
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }

  private async getText(key: string): Promise<string | null> {
    const body = await this.getBody(key);
    if (body === null) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }

  private async sizeOf(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: this.signal,
      });
      return head.ContentLength ?? null;
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
  }
}

/** True when an S3 call failed with this HTTP status. */
export function isStatus(err: unknown, status: number): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === status;
}
