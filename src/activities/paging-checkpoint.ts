/**
 * The heartbeat format of the `fetchResults` activity: the checkpoint a retried attempt resumes
 * from, and the reader the client helpers use to show paging progress without knowing the format.
 * Light on purpose (types and the payload converter only), so the CLI's `status` loads no sink.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import type { ResultCounts } from '../results';
import type { S3Part } from './sinks/s3-sink';

/** The heartbeat details a retried attempt resumes from. */
export interface PagingCheckpoint {
  fileOffset: number;
  bytes: number;
  pages: number;
  counts: ResultCounts;
  hasMore: boolean;
  run: { startTimestamp: string | null; finishTimestamp: string | null; batchId: string | null };
  /** The attempt whose partial file holds `bytes`; absent in checkpoints of older workers. */
  attempt?: number;
  /** S3 sinks: the page objects written so far, in order (see `sinks/s3-sink.ts`). */
  parts?: S3Part[];
}

const noCounts: ResultCounts = { files: 0, documents: 0, fields: 0, fieldErrors: 0 };

/** A checkpoint at the first file, for `attempt`. */
export function freshCheckpoint(attempt: number): PagingCheckpoint {
  return {
    fileOffset: 0,
    bytes: 0,
    pages: 0,
    counts: noCounts,
    hasMore: true,
    run: { startTimestamp: null, finishTimestamp: null, batchId: null },
    attempt,
  };
}

/**
 * Files paged so far, read from a pending `fetchResults` attempt's first heartbeat payload (the
 * activity heartbeats its checkpoint after each page is in the sink); null when it holds none.
 */
export function filesPagedOf(heartbeat: Payload | null | undefined): number | null {
  if (!heartbeat) return null;
  const checkpoint = defaultPayloadConverter.fromPayload<Partial<PagingCheckpoint> | null>(heartbeat);
  const files = checkpoint?.counts?.files;
  return typeof files === 'number' ? files : null;
}
