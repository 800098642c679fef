/** The workflows the hubrun worker hosts. */
export { aihubRunPipeline, checkNowSignal, progressQuery } from './pipeline';
export { aihubFanOut, fanOutProgressQuery } from './fan-out';
export { aihubAudit } from './audit';
