/** The emulator's parts, wired once by `startEmulator` and handed to every route module. */
import type { FastifyRequest } from 'fastify';
import type { AppRegistry } from './app-registry';
import type { CallLog } from './call-log';
import type { FaultInjector } from './faults';
import type { FileStore } from './file-store';
import type { DecidedCall } from './hostile-modes';
import type { PendingRuns } from './pending-runs';
import type { RunEngine } from './run-engine';
import type { StateStore } from './state-store';

/** Settings resolved from `EmulatorOptions`. */
export interface EmulatorSettings {
  tokens: ReadonlySet<string>;
  contexts: ReadonlySet<string>;
  pageSize: number;
  multipartPartSize: number;
  now: () => number;
  /** Admin requests from non-loopback addresses are answered too. */
  adminPublic: boolean;
}

/** Everything a route needs. */
export interface EmulatorContext {
  settings: EmulatorSettings;
  store: StateStore;
  files: FileStore;
  engine: RunEngine;
  registry: AppRegistry;
  faults: FaultInjector;
  calls: CallLog;
  /** Runs a `slow-create` rule has accepted and not yet created. */
  pending: PendingRuns;
  /** What the API hooks decided for each call in progress (its hostile modes). */
  decided: WeakMap<FastifyRequest, DecidedCall>;
}
