/**
 * The results sink: `<results dir>/<workflow id>/<workflow run id>/results.jsonl` (one line per
 * input file, as AI Hub returned it: every key at every depth, integers beyond 2^53 as their
 * exact decimal strings) and `manifest.json` (run metadata, counts, sha256 of the results file). Each pipeline execution has a folder of its own, so the same workflow id run
 * again (the same input folder on another night) never overwrites an earlier execution's results.
 *
 * Every attempt of the paging activity writes only a file of its own,
 * `results.jsonl.partial-<attempt>`, created exclusively, so an attempt that lost its heartbeat
 * (a zombie: its worker is slow, not dead, and Temporal already started a retry) can never
 * append to the file of the attempt that replaced it. A retry does not take over its
 * predecessor's file: it copies the prefix its predecessor's checkpoint recorded into its own
 * file and pages on from there, and a predecessor still writing only grows its own file past
 * that prefix. A finished file is published as `results.jsonl` with `link(2)`, which never
 * replaces an existing name: an attempt that finds a newer attempt's partial file knows it was
 * replaced and publishes nothing, and once `results.jsonl` exists (always whole) no attempt can
 * change it. `manifest.json`, written last and atomically, is the mark of completion; it names
 * the sha256 of `results.jsonl` as it is on disk, so it describes that file whoever wrote it.
 * Every file here is opened with `O_NOFOLLOW`: a symbolic link planted in the folder is refused,
 * never followed.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultFile } from '../aihub';
import type { ResultCounts } from '../results';

/** File names inside a pipeline execution's results folder. */
export const resultFileNames = {
  results: 'results.jsonl',
  manifest: 'manifest.json',
} as const;

/** The partial results file of one activity attempt. */
export function partialFileName(attempt: number): string {
  return `${resultFileNames.results}.partial-${attempt}`;
}

const partialPattern = /^results\.jsonl\.partial-(\d+)$/;

/** `O_NOFOLLOW`, or nothing on a platform without it. */
const noFollow = constants.O_NOFOLLOW ?? 0;

/** What `manifest.json` holds. */
export interface Manifest extends ResultCounts {
  workflowId: string;
  runId: string;
  appId: string | null;
  batchId: string | null;
  /** Nanoseconds since the epoch, exact, as decimal strings. */
  startTimestamp: string | null;
  finishTimestamp: string | null;
  errorRatio: number;
  resultsFile: string;
  resultsBytes: number;
  resultsSha256: string;
  pages: number;
  writtenAt: string;
}

/** A published `results.jsonl`: its path, size and sha256, and whether this attempt's own bytes are in it. */
export interface PublishedResults {
  path: string;
  bytes: number;
  sha256: string;
  /** False when another attempt published different bytes first (this attempt then describes those). */
  ownBytes: boolean;
}

/** Counts documents, fields and `ERROR` fields of one results line. */
export function countFile(file: ResultFile): ResultCounts {
  let fields = 0;
  let fieldErrors = 0;
  for (const doc of file.documents) {
    fields += doc.fields.length;
    fieldErrors += doc.fields.filter((f) => f.value === 'ERROR').length;
  }
  return { files: 1, documents: file.documents.length, fields, fieldErrors };
}

/** Adds two counts. */
export function addCounts(a: ResultCounts, b: ResultCounts): ResultCounts {
  return {
    files: a.files + b.files,
    documents: a.documents + b.documents,
    fields: a.fields + b.fields,
    fieldErrors: a.fieldErrors + b.fieldErrors,
  };
}

/** Thrown when this attempt has been replaced by a newer one, which alone may publish. */
export class SupersededAttemptError extends Error {
  constructor(attempt: number, newer: number) {
    super(`results attempt ${attempt} was replaced by attempt ${newer}; it publishes nothing`);
    this.name = 'SupersededAttemptError';
  }
}

/** The append-only partial results file of one activity attempt (see the module comment). */
export class ResultsWriter {
  private constructor(
    readonly folder: string,
    readonly attempt: number,
    private handle: FileHandle | null,
    private bytes: number,
  ) {}

  /**
   * Creates this attempt's own partial file. With `resume`, copies the first `resume.bytes`
   * bytes of attempt `resume.attempt`'s file into it, never through a symbolic link (`ELOOP`);
   * `resumed` is false (and the file empty) when that file is missing, shorter than recorded or
   * not a regular file.
   */
  static async open(
    folder: string,
    attempt: number,
    resume: { attempt: number; bytes: number } | null,
  ): Promise<{ writer: ResultsWriter; resumed: boolean }> {
    const path = join(folder, partialFileName(attempt));
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollow;
    const handle = await open(path, flags, 0o644);
    const writer = new ResultsWriter(folder, attempt, handle, 0);
    try {
      const resumed = resume !== null && (await writer.copyPrefix(resume.attempt, resume.bytes));
      return { writer, resumed };
    } catch (err) {
      await writer.close();
      throw err;
    }
  }

  /** Appends one line per file and flushes them to disk; returns the new size. */
  async append(files: readonly ResultFile[]): Promise<number> {
    if (files.length === 0) return this.bytes;
    const data = Buffer.from(files.map((f) => JSON.stringify(f) + '\n').join(''));
    await writeAll(this.open(), data, this.bytes);
    await this.open().sync();
    this.bytes += data.length;
    return this.bytes;
  }

  /**
   * Publishes this attempt's file as `results.jsonl`, unless a newer attempt exists
   * ({@link SupersededAttemptError}). When another attempt published first, its file stays; this
   * attempt then describes it. Removes this attempt's partial file and its predecessors', never
   * a newer attempt's.
   */
  async publish(): Promise<PublishedResults> {
    await this.close();
    const own = join(this.folder, partialFileName(this.attempt));
    const newer = (await this.attempts()).find((n) => n > this.attempt);
    if (newer !== undefined) throw new SupersededAttemptError(this.attempt, newer);
    const path = join(this.folder, resultFileNames.results);
    const ownSha = await sha256File(own);
    let ownBytes = true;
    try {
      await link(own, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      ownBytes = false;
    }
    const published = { path, ...(await digestFile(path)) };
    ownBytes ||= published.sha256 === ownSha;
    await syncFolder(this.folder);
    for (const n of await this.attempts()) {
      if (n <= this.attempt) await unlink(join(this.folder, partialFileName(n))).catch(ignoreMissing);
    }
    return { ...published, ownBytes };
  }

  /** Closes this attempt's file (idempotent). */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private open(): FileHandle {
    if (this.handle === null) throw new Error(`results attempt ${this.attempt} is closed`);
    return this.handle;
  }

  /** Attempt numbers of the partial files in the folder. */
  private async attempts(): Promise<number[]> {
    return (await readdir(this.folder)).flatMap((name) => {
      const match = partialPattern.exec(name);
      return match?.[1] !== undefined ? [Number(match[1])] : [];
    });
  }

  private async copyPrefix(fromAttempt: number, bytes: number): Promise<boolean> {
    if (bytes === 0) return true;
    let source: FileHandle;
    try {
      // O_NONBLOCK: a FIFO planted in its place must not hang the attempt (it is then refused as no file).
      const flags = constants.O_RDONLY | constants.O_NONBLOCK | noFollow;
      source = await open(join(this.folder, partialFileName(fromAttempt)), flags);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    try {
      const stats = await source.stat();
      if (!stats.isFile() || stats.size < bytes) return false;
      const buffer = Buffer.alloc(Math.min(bytes, 1 << 20));
      let copied = 0;
      while (copied < bytes) {
        const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, bytes - copied), copied);
        if (bytesRead === 0) return false;
        await writeAll(this.open(), buffer.subarray(0, bytesRead), copied);
        copied += bytesRead;
      }
      await this.open().sync();
      this.bytes = bytes;
      return true;
    } finally {
      await source.close();
    }
  }
}

/** Writes `manifest.json` atomically (a temporary file of this attempt, then a rename) and returns its path. */
export async function writeManifest(folder: string, attempt: number, manifest: Manifest): Promise<string> {
  const path = join(folder, resultFileNames.manifest);
  const temp = `${path}.tmp-${attempt}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | noFollow;
  const handle = await open(temp, flags, 0o644);
  try {
    await writeAll(handle, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncFolder(folder);
  return path;
}

/**
 * The manifest of a folder whose `results.jsonl` it describes (same sha256), or null: the
 * mark that an earlier attempt finished the folder.
 */
export async function readCompleteManifest(folder: string): Promise<Manifest | null> {
  try {
    const manifest = JSON.parse(await readNoFollow(join(folder, resultFileNames.manifest))) as Manifest;
    const { sha256 } = await digestFile(join(folder, resultFileNames.results));
    return manifest.resultsSha256 === sha256 ? manifest : null;
  } catch (err) {
    if (isMissing(err) || err instanceof SyntaxError) return null;
    throw err;
  }
}

/** Counts of a results file, read line by line. */
export async function countResultsFile(path: string): Promise<ResultCounts> {
  const text = await readNoFollow(path);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => countFile(JSON.parse(line) as ResultFile))
    .reduce(addCounts, { files: 0, documents: 0, fields: 0, fieldErrors: 0 });
}

/** sha256 of a file, read without following a symbolic link. */
export async function sha256File(path: string): Promise<string> {
  return (await digestFile(path)).sha256;
}

async function digestFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(path, constants.O_RDONLY | noFollow);
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

async function readNoFollow(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | noFollow);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch {
    // Not every filesystem syncs a folder; the data files themselves are synced.
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function ignoreMissing(err: unknown): void {
  if (!isMissing(err)) throw err;
}
