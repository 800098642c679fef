/**
 * Uploads the pipeline's local files into a new AI Hub batch. The batch is named after the
 * workflow and its first execution run id, so a retried attempt finds the batch an earlier
 * attempt created instead of making a second one; the attempt heartbeats the batch id and the
 * number of files done, and a retry carries on from there (re-uploading a file under the same
 * name overwrites it). Every file is checked before anything is created: a missing file, a
 * folder, or a file the worker may not read (outside its files roots, one of its secrets, under
 * `/proc`, `/sys` or `/dev`: see `file-access.ts`) fails the pipeline as bad input with nothing
 * half-started. The file uploaded is the real path the check resolved.
 */
import { basename } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AihubClient } from '../aihub';
import { aihubLimits } from '../aihub';
import { failureTypes } from '../failure-types';
import type { ActivityDeps } from './deps';
import { aihubCall } from './failures';
import { readableFile } from './file-access';
import type { FileAccessRules } from './file-access';
import { withKeepAlive } from './keep-alive';

/** Input of the `uploadFiles` activity. */
export interface UploadFilesInput {
  files: string[];
  /** Name of the batch; unique per pipeline (see `batchNameFor`). */
  batchName: string;
  workspace: string | null;
}

/** What `uploadFiles` did. */
export interface UploadedBatch {
  batchId: number;
  files: number;
  bytes: number;
}

interface UploadCheckpoint {
  batchId: number;
  done: number;
  bytes: number;
}

/** Builds the `uploadFiles` activity. */
export function uploadFilesActivity(deps: ActivityDeps): (args: UploadFilesInput) => Promise<UploadedBatch> {
  return async function uploadFiles(args: UploadFilesInput): Promise<UploadedBatch> {
    const ctx = Context.current();
    const opts = { signal: ctx.cancellationSignal };
    const checked = await checkFiles(args.files, deps);
    const resumed = ctx.info.heartbeatDetails as UploadCheckpoint | undefined;
    const batchId =
      resumed?.batchId ??
      (ctx.info.attempt > 1 ? await aihubCall(() => findBatch(deps.aihub, args, opts.signal)) : undefined) ??
      (
        await aihubCall(() =>
          deps.aihub.createBatch(
            { name: args.batchName, ...(args.workspace !== null ? { workspace: args.workspace } : {}) },
            opts,
          ),
        )
      ).id;
    let checkpoint: UploadCheckpoint = resumed ?? { batchId, done: 0, bytes: 0 };
    ctx.heartbeat(checkpoint);
    await withKeepAlive(
      () => checkpoint,
      async () => {
        for (const [index, path] of args.files.entries()) {
          if (index < checkpoint.done) continue;
          const file = checked[index];
          if (file === undefined) continue;
          await aihubCall(() => deps.aihub.uploadFile(batchId, basename(path), file.realPath, opts));
          checkpoint = { batchId, done: index + 1, bytes: checkpoint.bytes + file.size };
          ctx.heartbeat(checkpoint);
        }
      },
    );
    ctx.log.info('uploaded files', { batchId, files: args.files.length });
    return { batchId, files: args.files.length, bytes: checkpoint.bytes };
  };
}

/**
 * The real path and size of each file; fails as bad input, naming each field at fault, when a
 * file may not be read (see {@link readableFile}), is missing, is not a regular file, or is too large.
 */
async function checkFiles(
  files: string[],
  rules: FileAccessRules,
): Promise<{ realPath: string; size: number }[]> {
  const checked = await Promise.all(
    files.map(async (path, i) => {
      const file = await readableFile(`files.${i}`, path, rules);
      if ('problem' in file) return { realPath: path, size: 0, problem: file.problem };
      const { size } = file.info;
      const problem = !file.info.isFile()
        ? `files.${i}: ${path} is not a regular file`
        : size > aihubLimits.maxFileBytes
          ? `files.${i}: ${path} is ${size} bytes; AI Hub takes at most ${aihubLimits.maxFileBytes}`
          : undefined;
      return { realPath: file.realPath, size, problem };
    }),
  );
  const problems = checked.flatMap(({ problem }) => (problem === undefined ? [] : [problem]));
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: failureTypes.badInput,
      message: problems.join('; '),
      nonRetryable: true,
    });
  }
  return checked;
}

/**
 * Builds the `findUploadedBatch` activity: the batch a pipeline's upload created, found by its
 * unique name, or null. A pipeline cancelled mid-upload never learnt its batch id; with
 * `onCancel: 'delete'` it finds the batch this way and deletes it.
 */
export function findUploadedBatchActivity(
  deps: ActivityDeps,
): (args: Pick<UploadFilesInput, 'batchName' | 'workspace'>) => Promise<number | null> {
  return async function findUploadedBatch(args) {
    const signal = Context.current().cancellationSignal;
    return (await aihubCall(() => findBatch(deps.aihub, args, signal))) ?? null;
  };
}

/** The batch an earlier attempt created, found by its unique name. */
async function findBatch(
  aihub: AihubClient,
  args: Pick<UploadFilesInput, 'batchName' | 'workspace'>,
  signal: AbortSignal,
): Promise<number | undefined> {
  const query = args.workspace !== null ? { workspace: args.workspace } : {};
  for await (const batch of aihub.listAllBatches(query, { signal })) {
    if (batch.name === args.batchName) return batch.id;
  }
  return undefined;
}
