/**
 * Looking for secrets in what a pipeline leaves behind: histories (with every payload decoded),
 * descriptions, logs, errors and files. A secret hidden in protobuf bytes shows up as text.
 */
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';

/**
 * `value` as plain data, with every byte field (payload data: inputs, results, memo, search
 * attributes, failure details) decoded as UTF-8 text. (`JSON.stringify` alone would print
 * protobuf bytes as base64, where a token hides, and throw on a bigint; protobuf `Long`s are
 * plain `{low, high, unsigned}` objects and pass as they are.)
 */
export function readable(value: unknown, ancestors = new WeakSet<object>()): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[cycle]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => readable(item, ancestors));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, readable(item, ancestors)]));
  } finally {
    ancestors.delete(value);
  }
}

/** Every event of a workflow's history (failures included) as readable JSON text. */
export async function historyText(handle: Pick<WorkflowHandle, 'fetchHistory'>): Promise<string> {
  const history = await handle.fetchHistory();
  assert.ok((history.events?.length ?? 0) > 0, 'the history has events');
  return JSON.stringify(readable(history));
}

/** The secrets that occur in `text`. */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}

/** Fails when `text` holds any of `secrets` (without printing the secret). */
export function assertNoSecret(text: string, where: string, secrets: readonly string[]): void {
  const found = secretsIn(text, secrets);
  assert.equal(found.length, 0, `${where} contains ${found.length} token(s)`);
}
