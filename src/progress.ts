/** Where a pipeline or fan-out is: the phases and what the `progress` query answers (plain JSON). */
import { COMPLETED } from './results';

/** Where a pipeline is; also the `HubrunPhase` search attribute. */
export const phases = {
  validating: 'VALIDATING',
  uploading: 'UPLOADING',
  starting: 'STARTING',
  waiting: 'WAITING',
  reviewing: 'IN_REVIEW',
  fetchingResults: 'FETCHING_RESULTS',
  cleaningUp: 'CLEANING_UP',
  completed: COMPLETED,
  failed: 'FAILED',
  cancelled: 'CANCELLED',
} as const;
export type Phase = (typeof phases)[keyof typeof phases];

/** What the `progress` query answers: plain JSON, times as ISO strings. */
export interface PipelineProgress {
  phase: Phase;
  runId: string | null;
  remoteStatus: string | null;
  batchId: number | null;
  /** Status checks made so far (all activity attempts of the wait). */
  checks: number;
  /** When the next status check is due, if a wait is backing off. */
  nextCheckAt: string | null;
  /** When the pipeline started waiting for the run. */
  waitingSince: string | null;
  /**
   * How the wait places its checks: `learned from N run(s): ...`, `geometric (<why>)` or `fixed`;
   * null before the wait (and in pipelines started before plans).
   */
  plan?: string | null;
  filesUploaded: number;
  filesPaged: number;
  lastError: string | null;
  /** Outcome notifications sent and given up, with the last delivery error; only when the pipeline declares `notify`. */
  notifications?: { delivered: number; failed: number; lastError: string | null };
}

/** Progress before anything has happened, in `phase`. */
export function initialProgress(phase: Phase, batchId: number | null): PipelineProgress {
  return {
    phase,
    runId: null,
    remoteStatus: null,
    batchId,
    checks: 0,
    nextCheckAt: null,
    waitingSince: null,
    plan: null,
    filesUploaded: 0,
    filesPaged: 0,
    lastError: null,
  };
}

/** What a fan-out's `progress` query answers. */
export interface FanOutProgress {
  kind: 'fan-out';
  total: number;
  /** Children started so far, over every continued-as-new run. */
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Workflow ids of the children running now. */
  running: string[];
}
