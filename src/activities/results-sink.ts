/**
 * The results sink: `<results dir>/<workflow id>/<workflow run id>/results.jsonl` (one line per
 * input file, as AI Hub returned it) and `manifest.json` (run metadata, counts, sha256 of the
 * results file). Each pipeline execution has a folder of its own, so the same workflow id run
 * again (the same input folder on another night) never overwrites an earlier execution's results.
 * Results are written to `results.jsonl.partial` and renamed when complete, so a `results.jsonl`
 * that exists is always whole; the manifest is written last, atomically.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ResultFile } from '../aihub';
import type { ResultCounts } from '../shared';

/** File names inside a pipeline's results folder. */
export const resultFileNames = {
  results: 'results.jsonl',
  partial: 'results.jsonl.partial',
  manifest: 'manifest.json',
} as const;

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

/**
 * The folder of one pipeline execution's results, `<root>/<workflow id>/<workflow run id>`;
 * refuses ids that would escape `root`.
 */
export function resultsFolder(root: string, workflowId: string, workflowRunId: string): string {
  for (const [what, id] of [
    ['workflow id', workflowId],
    ['workflow run id', workflowRunId],
  ] as const) {
    if (id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
      throw new Error(`${what} ${JSON.stringify(id)} is not a safe folder name`);
    }
  }
  return join(resolve(root), workflowId, workflowRunId);
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

/** An append-only writer of `results.jsonl.partial` that can resume at a known byte length. */
export class ResultsWriter {
  private constructor(
    readonly folder: string,
    private bytes: number,
  ) {}

  /** Opens the partial file, cut back to `resumeAtBytes` (0 starts afresh). */
  static async open(folder: string, resumeAtBytes: number): Promise<ResultsWriter> {
    await mkdir(folder, { recursive: true });
    const path = join(folder, resultFileNames.partial);
    const handle = await open(path, 'a');
    await handle.close();
    const { size } = await stat(path);
    if (size < resumeAtBytes) {
      throw new Error(`${path} holds ${size} bytes, fewer than the ${resumeAtBytes} already recorded`);
    }
    await truncate(path, resumeAtBytes);
    return new ResultsWriter(folder, resumeAtBytes);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.bytes;
  }

  /** Appends one line per file and flushes them to disk; returns the new size. */
  async append(files: readonly ResultFile[]): Promise<number> {
    if (files.length === 0) return this.bytes;
    const text = files.map((f) => JSON.stringify(f) + '\n').join('');
    const handle = await open(join(this.folder, resultFileNames.partial), 'a');
    try {
      await handle.write(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.bytes += Buffer.byteLength(text);
    return this.bytes;
  }

  /** Renames the partial file to `results.jsonl` and returns its path and sha256. */
  async finish(): Promise<{ path: string; sha256: string }> {
    const path = join(this.folder, resultFileNames.results);
    await rename(join(this.folder, resultFileNames.partial), path);
    return { path, sha256: await sha256File(path) };
  }
}

/** Writes `manifest.json` atomically and returns its path. */
export async function writeManifest(folder: string, manifest: Manifest): Promise<string> {
  const path = join(folder, resultFileNames.manifest);
  const temp = `${path}.tmp`;
  await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(temp, path);
  return path;
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
