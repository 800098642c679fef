/**
 * Resolves the input of a new run (a batch, or an `input_dir` drive folder) into its files, and
 * analyses each file once so the run's results never depend on later uploads or deletions.
 */
import { aihubLimits } from '../aihub/endpoints';
import { batchFileFullPath, batchFileNames } from './batches';
import type { EmulatorContext } from './context';
import { analyseFile } from './file-analysis';
import { BadPathError } from './file-store';
import { HttpError, badRequest } from './http-util';
import type { StoredRunFile } from './state-store';
import type { AppBehaviour } from './types';
import { undocumentedStatus } from './undocumented';

/** The input named in a run request. */
export interface RunInputRequest {
  batch_id?: number;
  input_dir?: string;
}

/** A resolved run input. */
export interface RunInput {
  batchId: number | null;
  inputDir: string | null;
  files: StoredRunFile[];
}

/** Files analysed at once. */
const ANALYSIS_CONCURRENCY = 8;

/**
 * Resolves and analyses the input; throws 404 for an unknown batch, 400 for an empty or too large
 * input. With an `IB-Context`, the input must belong to it (aihub-api.md section 1: inputs are
 * checked against the context): another org's batch is 404 (no access reads as not found),
 * another org's drive folder 401 (no permission).
 */
export async function resolveRunInput(
  ctx: EmulatorContext,
  app: AppBehaviour,
  request: RunInputRequest,
  ibContext: string | undefined,
): Promise<RunInput> {
  let field: string;
  let sources: { name: string; path: string; diskPath: string }[];
  if (request.batch_id !== undefined) {
    field = 'batch_id';
    const batch = ctx.store.state.batches[String(request.batch_id)];
    if (!batch || (ibContext !== undefined && batch.repoOwner !== ibContext)) {
      throw new HttpError(404, `batch ${request.batch_id} not found`);
    }
    sources = batchFileNames(batch).map((name) => ({
      name,
      path: batchFileFullPath(batch, name),
      diskPath: ctx.files.batchFilePath(batch.id, name),
    }));
  } else if (request.input_dir !== undefined) {
    field = 'input_dir';
    if (ibContext !== undefined && request.input_dir.replace(/^\/+/, '').split('/')[0] !== ibContext) {
      throw new HttpError(
        401,
        `input_dir: no permission to '${request.input_dir}' under IB-Context '${ibContext}'`,
      );
    }
    let listed;
    try {
      listed = await ctx.files.listDriveFolder(request.input_dir);
    } catch (err) {
      if (err instanceof BadPathError) throw badRequest('input_dir', err.message);
      throw err;
    }
    // Undocumented: AI Hub's answer to a missing or empty folder is not published; we refuse the run
    // with 400 naming input_dir rather than start a run that processes nothing.
    if (listed === null || listed.length === 0) {
      throw new HttpError(
        undocumentedStatus.emptyInput,
        `input_dir: folder '${request.input_dir}' does not exist or holds no file`,
      );
    }
    sources = listed.map((f) => ({ name: f.name, path: f.drivePath, diskPath: f.diskPath }));
  } else {
    return { batchId: null, inputDir: null, files: [] }; // a deployment's upstream integration
  }
  if (sources.length === 0) {
    throw new HttpError(undocumentedStatus.emptyInput, `${field}: batch ${request.batch_id} holds no file`);
  }
  if (sources.length > aihubLimits.maxFilesPerRun) {
    throw badRequest(field, `${sources.length} files; a run takes at most ${aihubLimits.maxFilesPerRun}`);
  }

  const files: StoredRunFile[] = new Array<StoredRunFile>(sources.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      const source = sources[i] as (typeof sources)[number];
      try {
        const facts = await analyseFile(source.diskPath, app.fields);
        files[i] = { name: source.name, path: source.path, ...facts };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new HttpError(409, `${field}: file '${source.name}' was removed while the run started`);
        }
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ANALYSIS_CONCURRENCY, sources.length) }, worker));
  return {
    batchId: request.batch_id ?? null,
    inputDir: request.input_dir ?? null, // echoed as given (leading slash or not)
    files,
  };
}
