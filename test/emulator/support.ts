/** Helpers of the emulator suites: raw HTTP against a started emulator (no client class on purpose). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_DEFAULT_TOKEN, EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { AppBehaviour, Emulator, EmulatorOptions } from '../../src/emulator';
import type { Run } from '../../src/aihub/schemas';

/** One raw answer. */
export interface Answer<T> {
  status: number;
  text: string;
  headers: Headers;
  /** The body parsed as JSON, typed as the caller expects (19-digit numbers lose precision: read `text` for those). */
  json: T;
}

/** What an error answer holds. */
export type Message = { message: string };

/** Raw API calls with the default token (override `headers` to test auth). */
export class Api {
  constructor(readonly emulator: Emulator) {}

  async call<T = Message>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}`, ...headers },
    };
    if (body instanceof Uint8Array || typeof body === 'string') {
      init.body = body;
      (init.headers as Record<string, string>)['content-type'] = 'application/octet-stream';
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.emulator.url}${path}`, init);
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, headers: response.headers, json: json as T };
  }

  get<T = Message>(path: string, headers?: Record<string, string>): Promise<Answer<T>> {
    return this.call<T>('GET', path, undefined, headers);
  }

  post<T = Message>(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer<T>> {
    return this.call<T>('POST', path, body, headers);
  }

  put<T = Message>(path: string, bytes: Uint8Array | string): Promise<Answer<T>> {
    return this.call<T>('PUT', path, bytes);
  }

  delete<T = Message>(path: string): Promise<Answer<T>> {
    return this.call<T>('DELETE', path);
  }

  /** A run's status (counts as a check). */
  async status(runId: string): Promise<Run> {
    return (await this.get<Run>(`/v2/apps/runs/${runId}`)).json;
  }

  /** Creates a batch holding `files` (name -> text) and answers its id. */
  async batchWith(files: Record<string, string | Uint8Array>): Promise<number> {
    const created = await this.post<{ id: number }>('/v2/batches', { name: 'test batch' });
    if (created.status !== 200) throw new Error(`create batch: ${created.status} ${created.text}`);
    const id = created.json.id;
    for (const [name, bytes] of Object.entries(files)) {
      const put = await this.put(`/v2/batches/${id}/files/${encodeURIComponent(name)}`, bytes);
      if (put.status !== 204) throw new Error(`upload ${name}: ${put.status} ${put.text}`);
    }
    return id;
  }

  /** Runs `appName` over a new batch holding `files`; answers the run. */
  async runOver(appName: string, files: Record<string, string | Uint8Array>, tags?: string[]): Promise<Run> {
    const batchId = await this.batchWith(files);
    const run = await this.post<Run>('/v2/apps/runs', {
      app_name: appName,
      batch_id: batchId,
      ...(tags ? { settings: { tags } } : {}),
    });
    if (run.status !== 200) throw new Error(`run app: ${run.status} ${run.text}`);
    return run.json;
  }
}

/** A started emulator with its raw API and admin client; `close()` stops it and removes its temp dir. */
export interface Harness {
  emulator: Emulator;
  api: Api;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator(options);
  return {
    emulator,
    api: new Api(emulator),
    admin: new EmulatorAdmin(emulator.adminUrl),
    close: () => emulator.close(),
  };
}

/** A fresh temp dir, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hubrun-emulator-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An app that completes at the `checks`-th status check (no clock involved). */
export function checksApp(id: string, checks: number, extra: Partial<AppBehaviour> = {}): AppBehaviour {
  return {
    id,
    name: id,
    fields: ['invoice number', 'vendor', 'total', 'due date'],
    checksToComplete: checks,
    ...extra,
  };
}
