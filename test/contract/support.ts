/**
 * Helpers of the contract suites: the real `AihubClient` against a real emulator over HTTP on
 * 127.0.0.1, with the emulator's admin surface for faults, quota and the call log. No mocks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AihubClient, type AihubClientOptions } from '../../src/aihub/client';
import { AihubHttpError, AihubNetworkError } from '../../src/aihub/errors';
import type { Job, Run, RunResultsPage } from '../../src/aihub/schemas';
import {
  EMULATOR_DEFAULT_CONTEXT,
  EMULATOR_DEFAULT_TOKEN,
  EmulatorAdmin,
  startEmulator,
} from '../../src/emulator';
import type { AppBehaviour, Emulator, EmulatorOptions } from '../../src/emulator';

/** The fields every contract app extracts (results rewrite them into identifiers). */
export const INVOICE_FIELDS = ['invoice number', 'vendor', 'total', 'due date'];

/** An app that completes at the `checks`-th status check: fast and independent of the clock. */
export function quickApp(
  id: string,
  name: string,
  checks = 1,
  extra: Partial<AppBehaviour> = {},
): AppBehaviour {
  return { id, name, owner: 'acme', fields: INVOICE_FIELDS, checksToComplete: checks, ...extra };
}

/** A started emulator with a client on its API root and its admin client. */
export interface Contract {
  emulator: Emulator;
  client: AihubClient;
  admin: EmulatorAdmin;
  /** A further client on the same emulator (another token, another IB-Context, ...). */
  clientWith(options: Partial<AihubClientOptions>): AihubClient;
  close(): Promise<void>;
}

/** Starts an emulator and a client with the default token and the `acme` IB-Context. */
export async function startContract(options: EmulatorOptions = {}): Promise<Contract> {
  const emulator = await startEmulator(options);
  const clientWith = (extra: Partial<AihubClientOptions>): AihubClient =>
    new AihubClient({
      apiRoot: emulator.url,
      token: EMULATOR_DEFAULT_TOKEN,
      ibContext: EMULATOR_DEFAULT_CONTEXT,
      timeoutMs: 10_000,
      ...extra,
    });
  return {
    emulator,
    client: clientWith({}),
    admin: new EmulatorAdmin(emulator.adminUrl),
    clientWith,
    close: () => emulator.close(),
  };
}

/** A fresh temp dir, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hubrun-contract-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.fail('expected the call to fail');
}

/** The {@link AihubHttpError} `promise` rejects with, checked for `status`. */
export async function httpError(promise: Promise<unknown>, status: number): Promise<AihubHttpError> {
  const err = await rejection(promise);
  assert.ok(err instanceof AihubHttpError, `expected an AihubHttpError, got ${String(err)}`);
  assert.equal(err.status, status, err.message);
  return err;
}

/** The {@link AihubNetworkError} `promise` rejects with. */
export async function networkError(promise: Promise<unknown>): Promise<AihubNetworkError> {
  const err = await rejection(promise);
  assert.ok(err instanceof AihubNetworkError, `expected an AihubNetworkError, got ${String(err)}`);
  return err;
}

/** Creates a batch holding `files` (name -> content) through the client and answers its id. */
export async function batchWith(
  client: AihubClient,
  files: Record<string, string | Buffer>,
  name = 'contract batch',
): Promise<number> {
  const { id } = await client.createBatch({ name });
  for (const [file, content] of Object.entries(files)) {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    await client.putBatchFile(id, file, bytes, bytes.length);
  }
  return id;
}

/** Polls `getRun` until the run leaves RUNNING (at most `maxChecks` checks), answering the last state. */
export async function waitForRun(client: AihubClient, runId: string, maxChecks = 50): Promise<Run> {
  let run = await client.getRun(runId);
  for (let i = 1; i < maxChecks && run.status === 'RUNNING'; i++) {
    await sleep(20);
    run = await client.getRun(runId);
  }
  return run;
}

/** Polls `getJob` until the job is COMPLETE, FAILED or CANCELLED (at most `maxPolls` polls). */
export async function waitForJob(client: AihubClient, jobId: string, maxPolls = 50): Promise<Job> {
  let job = await client.getJob(jobId);
  for (let i = 1; i < maxPolls && (job.state === 'PENDING' || job.state === 'RUNNING'); i++) {
    await sleep(20);
    job = await client.getJob(jobId);
  }
  return job;
}

/** Every results page of a COMPLETE run, paging with `file_offset += files.length` while `has_more`. */
export async function allResultPages(client: AihubClient, runId: string): Promise<RunResultsPage[]> {
  const pages: RunResultsPage[] = [];
  for (let offset = 0, more = true; more;) {
    const page = await client.getRunResults(runId, { file_offset: offset });
    pages.push(page);
    assert.ok(page.files.length > 0 || !page.has_more, 'a page with has_more must hold files');
    offset += page.files.length;
    assert.equal(typeof page.has_more, 'boolean', 'the emulator always answers has_more');
    more = page.has_more === true;
  }
  return pages;
}

/** sha256 (hex) of a file on disk, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** sha256 (hex) of bytes in memory. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing upload test reproduces exactly. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
