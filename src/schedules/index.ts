/** hubrun schedules: the schedules file, `apply`, and the operator actions on one schedule. */
export { applySchedules, isManaged, managedScheduleIds, ScheduleConflictError, scheduleSet } from './apply';
export type { ApplyOptions, ScheduleChange, ScheduleChangeKind, ScheduleConflict } from './apply';
export { BackfillRangeError, parseBackfillRange } from './backfill-range';
export type { BackfillRange } from './backfill-range';
export { DATE_PLACEHOLDER, dateFields, fillNominalDate, nominalDate } from '../nominal-date';
export {
  backfillSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  pauseSchedule,
  ScheduleLookupError,
  triggerSchedule,
  unpauseSchedule,
} from './operations';
export type { ScheduleActionView, ScheduleListing, ScheduleView } from './operations';
export {
  DEFAULT_CATCHUP_WINDOW,
  loadScheduleFile,
  overlapPolicies,
  parseScheduleFile,
  ScheduleFileError,
  ScheduleSetName,
} from './schedule-file';
export type { OverlapName, ScheduleEntry, ScheduleFile } from './schedule-file';
export { compileSchedule, ENTRY_MEMO_KEY, MANAGED_MEMO_KEY, SET_MEMO_KEY } from './schedule-spec';
export type { CompiledSchedule, EntryMemo, ScheduleTarget } from './schedule-spec';
