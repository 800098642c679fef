/** The run-finished hook: AI Hub's run notification in, a `checkNow` signal to the run's pipeline out. */
export { createHookApp, HOOK_PATH, HOOK_SECRET_HEADER, startHookServer } from './server';
export type { HookOptions, HookServer } from './server';
export { signalPipelineOfRun } from './find-pipeline';
export type { LookupOptions } from './find-pipeline';
