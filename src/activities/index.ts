/**
 * All of hubrun's I/O, as Temporal activities built by {@link createActivities} from injected
 * dependencies: the worker passes the real AI Hub client and results folder, tests pass ones
 * aimed at the emulator. Workflows type their proxies from `ReturnType<typeof createActivities>`.
 */
import { describeRunActivity, findRetriedRunActivity } from './adopt-run';
import { auditRunsActivity } from './audit-runs';
import { checkFanOutStartActivity, checkPipelineStartActivity } from './check-input';
import { deleteRemoteActivity } from './cleanup';
import type { ActivityDeps } from './deps';
import { fetchResultsActivity } from './fetch-results';
import { notifyOutcomeActivity } from './notify';
import { findStartedRunActivity, startRunActivity } from './start-run';
import { findUploadedBatchActivity, uploadFilesActivity } from './upload-files';
import { estimateDurationActivity } from './estimate-duration';
import { checkRunNowActivity, waitForRunActivity } from './wait-for-run';

export type { ActivityDeps } from './deps';
export type { DescribeRunInput, FindRetriedRunInput } from './adopt-run';
export type { StartCheckInput } from './check-input';
export type { DeleteRemoteInput, DeletedRemote } from './cleanup';
export type { NotifyOutcomeInput, NotifyOutcomeResult } from './notify';
export type { FetchResultsInput, FetchedResults, PagingCheckpoint } from './fetch-results';
export type { StartRunInput, StartedRun } from './start-run';
export type { UploadFilesInput, UploadedBatch } from './upload-files';
export type { CheckRunNowInput, RunTransition, WaitForRunInput } from './wait-for-run';
export type { DurationPlan, EstimateDurationInput } from './estimate-duration';
export type { CheckPlan, LearnedPlan } from './check-plan';

/** Builds every activity the pipeline workflows call. */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred type is the contract
export function createActivities(deps: ActivityDeps) {
  return {
    checkPipelineStart: checkPipelineStartActivity(deps),
    checkFanOutStart: checkFanOutStartActivity(),
    uploadFiles: uploadFilesActivity(deps),
    findUploadedBatch: findUploadedBatchActivity(deps),
    startRun: startRunActivity(deps),
    findStartedRun: findStartedRunActivity(deps),
    describeRun: describeRunActivity(deps),
    findRetriedRun: findRetriedRunActivity(deps),
    waitForRun: waitForRunActivity(deps),
    estimateDuration: estimateDurationActivity(deps),
    checkRunNow: checkRunNowActivity(deps),
    fetchResults: fetchResultsActivity(deps),
    deleteRemote: deleteRemoteActivity(deps),
    notifyOutcome: notifyOutcomeActivity(deps),
    auditRuns: auditRunsActivity(deps),
  };
}

/** The activities, as workflows see them through `proxyActivities`. */
export type Activities = ReturnType<typeof createActivities>;
