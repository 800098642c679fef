/**
 * Where a pipeline execution's results go: `<results root>/<workflow id>/<workflow run id>`,
 * and only where the worker allows. A pipeline's `resultsDir` comes from whoever may start
 * workflows on the task queue, so it must lie under `HUBRUN_OUTPUT_DIR` or one of
 * `HUBRUN_RESULTS_ROOTS`, compared by real path: the deepest existing ancestor of each is
 * resolved with `realpath`, so a symbolic link inside a root that points out of it does not
 * count as inside. The folders below are then created one by one without following a link:
 * each is made with `mkdir` and checked with `lstat` to be a real folder, never a symbolic link
 * planted in its place; the files in it are opened with `O_NOFOLLOW` (`results-sink.ts`). The
 * checks run before anything is written, so a refused pipeline writes nothing.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isUnder } from './file-access';

/** Thrown when a results path is outside the roots or a symbolic link; the message starts `resultsDir: `. */
export class UnsafeResultsDirError extends Error {
  constructor(detail: string) {
    super(`resultsDir: ${detail}`);
    this.name = 'UnsafeResultsDirError';
  }
}

/** Where one pipeline execution's results go, and the folders allowed to hold them. */
export interface ResultsFolderRequest {
  /** The pipeline's `resultsDir`; `outputDir` when null. */
  resultsDir: string | null;
  outputDir: string;
  resultsRoots: readonly string[];
  workflowId: string;
  workflowRunId: string;
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

/**
 * Checks that the request's results folder lies inside the roots (see the module comment),
 * creates it without following a symbolic link and returns its real path. Throws
 * {@link UnsafeResultsDirError} before writing anything when it does not.
 */
export async function prepareResultsFolder(request: ResultsFolderRequest): Promise<string> {
  const requested = resolve(request.resultsDir ?? request.outputDir);
  const folder = resultsFolder(requested, request.workflowId, request.workflowRunId);
  const base = await checkResultsDir(request);
  // From the real ancestor down, create each folder and check that it is one, not a link.
  let current = base.real;
  for (const name of [...base.missing, request.workflowId, request.workflowRunId]) {
    current = join(current, name);
    await mkdir(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const info = await lstat(current);
    if (info.isSymbolicLink()) throw new UnsafeResultsDirError(`${current} is a symbolic link, not a folder`);
    if (!info.isDirectory()) throw new UnsafeResultsDirError(`${current} is not a folder`);
  }
  if ((await realpath(current)) !== current) {
    throw new UnsafeResultsDirError(`${folder} moved while it was being created`);
  }
  // The real path: writes then follow no link in any ancestor, whatever becomes of it later.
  return current;
}

/**
 * Checks, writing nothing, that a pipeline's `resultsDir` (or `outputDir`) lies inside the
 * worker's results roots by real path, and answers its real deepest existing ancestor; throws
 * {@link UnsafeResultsDirError} when it does not. The input check runs it too, so a pipeline
 * that could never deliver its results is refused before anything reaches AI Hub.
 */
export async function checkResultsDir(
  request: Pick<ResultsFolderRequest, 'resultsDir' | 'outputDir' | 'resultsRoots'>,
): Promise<{ real: string; missing: string[] }> {
  const requested = resolve(request.resultsDir ?? request.outputDir);
  const base = await realAncestor(requested);
  const roots = await Promise.all([request.outputDir, ...request.resultsRoots].map(realAncestor));
  const real = join(base.real, ...base.missing);
  if (!roots.some((root) => isUnder(real, join(root.real, ...root.missing)))) {
    const wanted = request.resultsDir ?? requested;
    throw new UnsafeResultsDirError(
      `${wanted} is not inside the worker's results folders (HUBRUN_OUTPUT_DIR, HUBRUN_RESULTS_ROOTS)`,
    );
  }
  return base;
}

/**
 * The real path of the deepest existing ancestor of `path` (itself included) and the names
 * below it that do not exist yet. A dangling symbolic link counts as missing here; creating
 * the folder then finds the link and refuses it.
 */
async function realAncestor(path: string): Promise<{ real: string; missing: string[] }> {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return { real: await realpath(current), missing };
    } catch (err) {
      const parent = dirname(current);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw err;
      missing.unshift(basename(current));
      current = parent;
    }
  }
}
