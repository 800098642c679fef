/**
 * Asynchronous deletion jobs: each moves PENDING -> RUNNING -> COMPLETE, one state per poll or per
 * {@link JOB_MS_PER_STATE} ms, whichever comes first.
 */
import { randomBytes } from 'node:crypto';
import type { Job, JobState } from '../aihub/schemas';
import type { EmulatorState, StoredJob } from './state-store';
import { JOB_MS_PER_STATE } from './undocumented';

const states: readonly JobState[] = ['PENDING', 'RUNNING', 'COMPLETE'];
const messages: Record<string, string> = { PENDING: 'queued', RUNNING: 'deleting', COMPLETE: 'deleted' };

/** Adds a job of `kind` (what it deletes) and answers its id; the caller persists the state. */
export function createJob(state: EmulatorState, kind: string, nowMs: number): string {
  const id = `job-${randomBytes(8).toString('hex')}`;
  state.jobs[id] = { id, kind, createdAtMs: nowMs, polls: 0 };
  return id;
}

/** Counts one poll of the job and answers its state after it. */
export function pollJob(job: StoredJob, nowMs: number): Job {
  job.polls += 1;
  const step = Math.max(job.polls - 1, Math.floor((nowMs - job.createdAtMs) / JOB_MS_PER_STATE));
  const state = states[Math.min(step, states.length - 1)] as JobState;
  return { state, message: `${job.kind}: ${messages[state] ?? state.toLowerCase()}` };
}
