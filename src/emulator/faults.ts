/**
 * Fault injection: rules matched per API call by endpoint name, in order. Every firing latency
 * rule adds its delay; then the first firing error / drop / lose-response / slow-response rule
 * decides the call.
 */
import { z } from 'zod';
import { endpointNames } from '../aihub/endpoints';
import type { EndpointName } from '../aihub/endpoints';
import type { FaultRule } from './types';

/** A fault rule as the admin surface and `--faults` files accept it. */
export const FaultRuleSchema: z.ZodType<FaultRule> = z.object({
  endpoint: z.enum(['*', ...endpointNames]),
  kind: z.enum(['latency', 'error', 'drop', 'lose-response', 'slow-response']),
  rate: z.number().min(0).max(1).optional(),
  times: z.number().int().min(0).optional(),
  after: z.number().int().min(0).optional(),
  latencyMs: z.number().min(0).optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  retryAfterFormat: z.enum(['seconds', 'http-date']).optional(),
});

/** A list of rules, given bare or as `{rules: [...]}`. */
export const FaultRulesSchema = z.union([
  z.array(FaultRuleSchema),
  z.object({ rules: z.array(FaultRuleSchema) }).transform((v) => v.rules),
]);

/** What the faults decide for one call. */
export interface FaultDecision {
  /** Total delay of the latency rules that fired. */
  latencyMs: number;
  /** The error / drop / lose-response / slow-response rule that fired, if any. */
  action: FaultRule | null;
}

/** The active rules and how often each has fired. */
export class FaultInjector {
  private active: { rule: FaultRule; fired: number; seen: number }[] = [];

  constructor(
    rules: readonly FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  /** Replaces the rules (and their firing counts). */
  set(rules: readonly FaultRule[]): void {
    this.active = rules.map((rule) => ({ rule: { ...rule }, fired: 0, seen: 0 }));
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
    const decision: FaultDecision = { latencyMs: 0, action: null };
    const fires = (entry: { rule: FaultRule; fired: number; seen: number }): boolean => {
      const { rule } = entry;
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) return false;
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
      if (entry.rule.kind !== 'latency' && fires(entry)) {
        decision.action = entry.rule;
        break;
      }
    }
    return decision;
  }
}

/** The `Retry-After` header value of an error rule, or undefined when it sets none. */
export function retryAfterHeader(rule: FaultRule, nowMs: number): string | undefined {
  if (rule.retryAfterSeconds === undefined) return undefined;
  if (rule.retryAfterFormat === 'http-date')
    return new Date(nowMs + rule.retryAfterSeconds * 1000).toUTCString();
  return String(Math.ceil(rule.retryAfterSeconds));
}
