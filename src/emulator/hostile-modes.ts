/**
 * How the routes apply the hostile modes that fired on a call (see `FaultRule`): when a slow
 * create makes its run, which runs a lagging list hides, and which status reads answer an
 * undocumented status.
 */
import type { FastifyRequest } from 'fastify';
import type { Run } from '../aihub/schemas';
import type { EmulatorContext } from './context';
import { noModes } from './faults';
import type { CallModes } from './faults';
import type { StoredRun } from './state-store';

/** What the API hooks decided for one call, kept for its route. */
export interface DecidedCall {
  /** Arrival on the emulator's clock, ms. */
  arrivedMs: number;
  modes: CallModes;
}

/** The hostile modes of `request` (none when no rule fired, or outside the API). */
export function modesOf(ctx: EmulatorContext, request: FastifyRequest): CallModes {
  return ctx.decided.get(request)?.modes ?? noModes();
}

/** When a `slow-create` call's run comes into existence (its arrival plus the delay); null: at once. */
export function slowCreateAt(ctx: EmulatorContext, request: FastifyRequest): number | null {
  const decided = ctx.decided.get(request);
  if (decided === undefined || decided.modes.slowCreateMs === null) return null;
  return decided.arrivedMs + decided.modes.slowCreateMs;
}

/** Whether a `listRuns` answer at `nowMs` may show `run` yet (`list-lag`). */
export function listedYet(modes: CallModes, run: StoredRun, nowMs: number): boolean {
  return modes.listLagMs <= 0 || run.startMs + modes.listLagMs <= nowMs;
}

/**
 * The run as one status read answers it: with an `unknown-status` rule's status while that rule
 * has reads of this run left (counting this one), else unchanged.
 */
export function readStatus(modes: CallModes, run: Run): Run {
  for (const mode of modes.unknownStatus) {
    const answered = mode.answered.get(run.id) ?? 0;
    if (answered < mode.checks) {
      mode.answered.set(run.id, answered + 1);
      // Deliberately outside the documented enum: the point of the mode.
      return { ...run, status: mode.runStatus };
    }
  }
  return run;
}
