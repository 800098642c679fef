/**
 * Fault injection: rules matched per API call by endpoint name, in order. Every firing latency
 * rule adds its delay; then the first firing error / drop / lose-response / slow-response rule
 * decides the call. Hostile-mode rules (slow-create, list-lag, unknown-status, results-shape) are
 * decided on the same call, each only on the endpoints its kind applies to, and handed to the
 * routes as {@link CallModes}.
 */
import { z } from 'zod';
import { endpointNames } from '../aihub/endpoints';
import type { EndpointName } from '../aihub/endpoints';
import { callFaultKinds, hostileModeKinds, resultsShapes } from './types';
import type { FaultKind, FaultRule, ResultsShape } from './types';

/** Status of an `unknown-status` rule unless it names one. */
export const DEFAULT_UNKNOWN_STATUS = 'QUEUED';

/** Reads per run an `unknown-status` rule answers with its status unless it says otherwise. */
export const DEFAULT_UNKNOWN_STATUS_CHECKS = 3;

/** The endpoints each hostile mode applies to; on any other endpoint its rules are inert. */
const modeEndpoints: Record<(typeof hostileModeKinds)[number], readonly EndpointName[]> = {
  'slow-create': ['runApp', 'runDeployment'],
  'list-lag': ['listRuns'],
  'unknown-status': ['getRun', 'listRuns'],
  'results-shape': ['getRunResults'],
};

/** Whether a rule of `kind` can act on a call to `endpoint` at all. */
function appliesTo(kind: FaultKind, endpoint: EndpointName): boolean {
  return !(kind in modeEndpoints) || modeEndpoints[kind as keyof typeof modeEndpoints].includes(endpoint);
}

/** A fault rule as the admin surface and `--faults` files accept it. */
export const FaultRuleSchema: z.ZodType<FaultRule> = z
  .object({
    endpoint: z.enum(['*', ...endpointNames]),
    kind: z.enum([...callFaultKinds, ...hostileModeKinds]),
    rate: z.number().min(0).max(1).optional(),
    times: z.number().int().min(0).optional(),
    after: z.number().int().min(0).optional(),
    latencyMs: z.number().min(0).optional(),
    status: z.number().int().min(100).max(599).optional(),
    retryAfterSeconds: z.number().min(0).optional(),
    retryAfterFormat: z.enum(['seconds', 'http-date']).optional(),
    runStatus: z.string().min(1).optional(),
    checks: z.number().int().min(0).optional(),
    shape: z.enum(resultsShapes).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.kind === 'results-shape' && rule.shape === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['shape'],
        message: `a results-shape rule needs a shape: one of ${resultsShapes.join(', ')}`,
      });
    }
  });

/** A list of rules, given bare or as `{rules: [...]}`. */
export const FaultRulesSchema = z.union([
  z.array(FaultRuleSchema),
  z.object({ rules: z.array(FaultRuleSchema) }).transform((v) => v.rules),
]);

/** One firing `unknown-status` rule, with the reads it has answered per run. */
export interface UnknownStatusMode {
  runStatus: string;
  checks: number;
  /** Reads answered with `runStatus` so far, by run id (shared by every call the rule fires on). */
  answered: Map<string, number>;
}

/** The hostile modes that fired on one call. */
export interface CallModes {
  /** `slow-create`: ms from the POST's arrival to the run's creation; null creates at once. */
  slowCreateMs: number | null;
  /** `list-lag`: ms a run stays out of `listRuns` after its creation (0: none). */
  listLagMs: number;
  /** `unknown-status` rules, in rule order. */
  unknownStatus: UnknownStatusMode[];
  /** `results-shape` shapes, in rule order. */
  resultsShapes: ResultsShape[];
}

/** The modes of a call no hostile rule fired on. */
export function noModes(): CallModes {
  return { slowCreateMs: null, listLagMs: 0, unknownStatus: [], resultsShapes: [] };
}

/** What the faults decide for one call. */
export interface FaultDecision {
  /** Total delay of the latency rules that fired. */
  latencyMs: number;
  /** The error / drop / lose-response / slow-response rule that fired, if any. */
  action: FaultRule | null;
  /** The hostile modes that fired. */
  modes: CallModes;
}

interface ActiveRule {
  rule: FaultRule;
  fired: number;
  seen: number;
  /** `unknown-status`: reads answered per run. */
  answered: Map<string, number>;
}

/** The active rules and how often each has fired. */
export class FaultInjector {
  private active: ActiveRule[] = [];

  constructor(
    rules: readonly FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  /** Replaces the rules (and their firing counts). */
  set(rules: readonly FaultRule[]): void {
    this.active = rules.map((rule) => ({ rule: { ...rule }, fired: 0, seen: 0, answered: new Map() }));
  }

  get rules(): FaultRule[] {
    return this.active.map(({ rule }) => ({ ...rule }));
  }

  /** How often each rule has fired, in rule order. */
  get fired(): number[] {
    return this.active.map(({ fired }) => fired);
  }

  /** Decides the faults of one call to `endpoint`, counting the rules that fire. */
  decide(endpoint: EndpointName): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, action: null, modes: noModes() };
    const fires = (entry: ActiveRule): boolean => {
      const { rule } = entry;
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) return false;
      if (!appliesTo(rule.kind, endpoint)) return false;
      entry.seen += 1;
      if (entry.seen <= (rule.after ?? 0)) return false;
      if (rule.times !== undefined && entry.fired >= rule.times) return false;
      if (this.random() >= (rule.rate ?? 1)) return false;
      entry.fired += 1;
      return true;
    };
    for (const entry of this.active) {
      if (entry.rule.kind === 'latency' && fires(entry)) decision.latencyMs += entry.rule.latencyMs ?? 0;
    }
    for (const entry of this.active) {
      const kind = entry.rule.kind;
      if (kind === 'latency' || isHostileMode(kind)) continue;
      if (fires(entry)) {
        decision.action = entry.rule;
        break;
      }
    }
    for (const entry of this.active) {
      if (isHostileMode(entry.rule.kind) && fires(entry)) addMode(decision.modes, entry);
    }
    return decision;
  }
}

function isHostileMode(kind: FaultKind): kind is (typeof hostileModeKinds)[number] {
  return (hostileModeKinds as readonly string[]).includes(kind);
}

/** Adds a fired hostile rule to the call's modes (the first slow-create wins; lags add up). */
function addMode(modes: CallModes, entry: ActiveRule): void {
  const { rule } = entry;
  if (rule.kind === 'slow-create') modes.slowCreateMs ??= rule.latencyMs ?? 0;
  else if (rule.kind === 'list-lag') modes.listLagMs += rule.latencyMs ?? 0;
  else if (rule.kind === 'unknown-status') {
    modes.unknownStatus.push({
      runStatus: rule.runStatus ?? DEFAULT_UNKNOWN_STATUS,
      checks: rule.checks ?? DEFAULT_UNKNOWN_STATUS_CHECKS,
      answered: entry.answered,
    });
  } else if (rule.kind === 'results-shape' && rule.shape !== undefined) modes.resultsShapes.push(rule.shape);
}

/** The `Retry-After` header value of an error rule, or undefined when it sets none. */
export function retryAfterHeader(rule: FaultRule, nowMs: number): string | undefined {
  if (rule.retryAfterSeconds === undefined) return undefined;
  if (rule.retryAfterFormat === 'http-date')
    return new Date(nowMs + rule.retryAfterSeconds * 1000).toUTCString();
  return String(Math.ceil(rule.retryAfterSeconds));
}
