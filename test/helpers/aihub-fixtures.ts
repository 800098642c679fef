/** Test data in the emulator, put there through the real client over HTTP. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AihubClient } from '../../src/aihub';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';

/** Sample invoices whose fields the emulator reads back (`Field Name: value` lines). */
export function sampleInvoices(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `invoice-${String(i + 1).padStart(3, '0')}.txt`,
      `Invoice Number: INV-${1000 + i}\nVendor: Vendor ${i % 7}\nTotal: ${(i * 37.5 + 12).toFixed(2)}\nDue Date: 2026-12-${String((i % 28) + 1).padStart(2, '0')}\n`,
    ]),
  );
}

/** A client of the emulator with the default token. */
export function emulatorClient(emulator: Emulator): AihubClient {
  return new AihubClient({ apiRoot: emulator.url, token: EMULATOR_DEFAULT_TOKEN });
}

/** Creates a batch holding `files` and returns its id. */
export async function seedBatch(emulator: Emulator, files: Record<string, string>): Promise<number> {
  const client = emulatorClient(emulator);
  const { id } = await client.createBatch({ name: `seed-${Date.now()}` });
  for (const [name, text] of Object.entries(files)) {
    await client.putBatchFile(id, name, Buffer.from(text), Buffer.byteLength(text));
  }
  return id;
}

/** Writes `files` into a fresh local folder and returns their paths. */
export async function writeLocalFiles(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hubrun-files-'));
  return Promise.all(
    Object.entries(files).map(async ([name, text]) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    }),
  );
}

/** Wait settings that make tests quick: checks every ~100 ms, geometric (no history lookup). */
export const quickWait = {
  plan: 'geometric',
  initialIntervalSeconds: 0.1,
  maxIntervalSeconds: 0.2,
  reviewInitialIntervalSeconds: 0.1,
  reviewMaxIntervalSeconds: 0.2,
  jitter: 0,
} as const;
