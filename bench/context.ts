/** What every benchmark section gets from the entry point, and helpers they share. */
import { AihubClient } from '../src/aihub';
import { EMULATOR_DEFAULT_TOKEN } from '../src/emulator';
import type { Emulator } from '../src/emulator';
import { exactlyOnceTag } from '../src/pipeline-names';

/** Shared settings and files of one benchmark run. */
export interface BenchContext {
  /** Small sizes, for development. */
  quick: boolean;
  /** Scratch folder of this run (results, bundles). */
  workDir: string;
  /** Logs of the servers and workers this run started. */
  logDir: string;
  /** hubrun's workflows, bundled once. */
  hubrunBundle: string;
  /** The baseline's workflows, bundled once. */
  baselineBundle: string;
  /** Where worker CPU profiles go (`--profile`); undefined: no profiling. */
  profileDir: string | undefined;
  /** Progress line on stderr. */
  log(message: string): void;
}

/** A client of `emulator` with its default token. */
export function emulatorClient(emulator: Emulator): AihubClient {
  return new AihubClient({ apiRoot: emulator.url, token: EMULATOR_DEFAULT_TOKEN });
}

/** Creates a batch of `count` small invoice files in the emulator and returns its id. */
export async function seedBatch(emulator: Emulator, count = 1): Promise<number> {
  const client = emulatorClient(emulator);
  const { id } = await client.createBatch({ name: `bench-${Date.now()}` });
  for (let i = 0; i < count; i++) {
    const text = `Invoice Number: INV-${1000 + i}\nVendor: Bench\nTotal: ${(i * 10 + 12).toFixed(2)}\n`;
    await client.putBatchFile(id, `invoice-${i + 1}.txt`, Buffer.from(text), Buffer.byteLength(text));
  }
  return id;
}

/** The first execution run id of the workflow that started a run, read from the run's exactly-once tag. */
export function workflowRunIdOfTags(tags: readonly string[]): string | undefined {
  const prefix = exactlyOnceTag('');
  return tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);
}
