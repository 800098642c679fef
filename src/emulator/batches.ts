/** Batches as the API describes them, and their removal (shared by delete batch and delete run). */
import type { BatchFileNode, BatchInfo } from '../aihub/schemas';
import type { EmulatorContext } from './context';
import type { StoredBatch } from './state-store';
import { BUILTIN_DRIVE, batchPathSuffix } from './undocumented';

/** `batchInfo` of a batch. */
export function batchInfo(batch: StoredBatch): BatchInfo {
  return {
    id: batch.id,
    name: batch.name,
    workspace: batch.workspace,
    mount_point: BUILTIN_DRIVE,
    repo_owner: batch.repoOwner,
    batch_owner: batch.batchOwner,
    created_at_ms: batch.createdAtMs,
    updated_at_ms: batch.updatedAtMs,
    path_suffix: batchPathSuffix(batch.id),
  };
}

/** The drive path of a batch file: `full_path` in listings, `input_file_path` in results. */
export function batchFileFullPath(batch: StoredBatch, name: string): string {
  return `${batch.repoOwner}/${batch.workspace}/fs/${BUILTIN_DRIVE}/${batchPathSuffix(batch.id)}/${name}`;
}

/** One node of list batch files. */
export function batchFileNode(batch: StoredBatch, name: string): BatchFileNode {
  const file = batch.files[name];
  return {
    name,
    full_path: batchFileFullPath(batch, name),
    metadata: {
      node_type: 'file',
      size: file?.size ?? 0,
      modified_timestamp: Math.floor((file?.modifiedMs ?? batch.updatedAtMs) / 1000),
    },
  };
}

/** The names of a batch's files in the order runs process them (name order). */
export function batchFileNames(batch: StoredBatch): string[] {
  return Object.keys(batch.files).sort();
}

/** Removes a batch, its bytes and its open upload sessions (the caller persists the state). */
export async function removeBatch(ctx: EmulatorContext, batch: StoredBatch): Promise<void> {
  const state = ctx.store.state;
  delete state.batches[String(batch.id)];
  for (const session of Object.values(state.sessions)) {
    if (session.batchId === batch.id) {
      delete state.sessions[session.id];
      await ctx.files.remove(ctx.files.sessionDir(session.id));
    }
  }
  await ctx.files.remove(ctx.files.batchDir(batch.id));
}
