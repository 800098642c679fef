/**
 * A zombie attempt (its worker slow, not dead, its heartbeat lost, a retry already started)
 * against the attempt that replaced it, on one results folder: the writers the paging activity
 * uses, driven in the interleavings a real zombie can produce.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ResultFile } from '../../src/aihub';
import { ResultsWriter, SupersededAttemptError, writeManifest } from '../../src/activities/results-sink';
import type { Manifest } from '../../src/activities/results-sink';

const page = (n: number): ResultFile[] => [
  {
    original_file_name: `invoice-${n}.txt`,
    documents: [{ fields: [{ field_name: 'n', value: String(n) }] }],
  },
];

const folderOf = (): Promise<string> => mkdtemp(join(tmpdir(), 'hubrun-zombie-'));

async function undisturbed(): Promise<Buffer> {
  const { writer } = await ResultsWriter.open(await folderOf(), 1, null);
  for (const n of [1, 2, 3, 4, 5]) await writer.append(page(n));
  return readFile((await writer.publish()).path);
}

/** The older attempt pages 1 and 2 (its checkpoint), then the newer one takes over from it. */
async function takeOver(folder: string): Promise<{ older: ResultsWriter; newer: ResultsWriter }> {
  const { writer: older } = await ResultsWriter.open(folder, 1, null);
  await older.append(page(1));
  const recorded = await older.append(page(2));
  const { writer: newer, resumed } = await ResultsWriter.open(folder, 2, { attempt: 1, bytes: recorded });
  assert.equal(resumed, true);
  return { older, newer };
}

describe('an attempt that lost its heartbeat cannot disturb the attempt that replaced it', () => {
  it('its appends after the takeover and its publish mid-way leave the newer one’s results byte-identical', async () => {
    const reference = await undisturbed();
    const folder = await folderOf();
    const { older, newer } = await takeOver(folder);
    await older.append(page(3));
    await older.append(page(99));
    await newer.append(page(3));
    await assert.rejects(older.publish(), SupersededAttemptError);
    assert.ok(!(await readdir(folder)).includes('results.jsonl'), 'the replaced attempt published nothing');
    for (const n of [4, 5]) await newer.append(page(n));
    const published = await newer.publish();
    assert.equal(published.ownBytes, true);
    assert.deepEqual(await readFile(published.path), reference);
  });

  it('its appends and publish after the newer one finished change nothing', async () => {
    const reference = await undisturbed();
    const folder = await folderOf();
    const { older, newer } = await takeOver(folder);
    for (const n of [3, 4, 5]) await newer.append(page(n));
    const published = await newer.publish();
    const manifest = { resultsSha256: published.sha256 } as Manifest;
    await writeManifest(folder, 2, manifest);
    const manifestText = await readFile(join(folder, 'manifest.json'), 'utf8');

    // The zombie wakes up: its file is gone, its appends go nowhere, its publish fails.
    await older.append(page(3));
    await older.append(page(99));
    await assert.rejects(older.publish());
    assert.deepEqual(await readFile(published.path), reference);
    assert.equal(await readFile(join(folder, 'manifest.json'), 'utf8'), manifestText);
    assert.deepEqual((await readdir(folder)).sort(), ['manifest.json', 'results.jsonl']);
  });

  it('a results file another attempt published first is never replaced', async () => {
    const folder = await folderOf();
    const { writer: first } = await ResultsWriter.open(folder, 1, null);
    for (const n of [1, 2]) await first.append(page(n));
    const firstPublished = await first.publish();
    const firstBytes = await readFile(firstPublished.path);

    const { writer: second } = await ResultsWriter.open(folder, 2, null);
    for (const n of [1, 2, 3]) await second.append(page(n));
    const secondPublished = await second.publish();
    assert.equal(secondPublished.ownBytes, false, 'the second attempt describes the file already there');
    assert.equal(secondPublished.sha256, firstPublished.sha256);
    assert.deepEqual(await readFile(secondPublished.path), firstBytes);
  });

  it('a retry never takes over its predecessor’s file: it copies the recorded prefix into its own', async () => {
    const folder = await folderOf();
    const { older, newer } = await takeOver(folder);
    const before = await readFile(join(folder, 'results.jsonl.partial-1'));
    const newerBytes = await newer.append(page(3));
    assert.deepEqual(await readFile(join(folder, 'results.jsonl.partial-1')), before);
    assert.equal(await older.append([]), before.length);
    assert.equal(newerBytes, (await readFile(join(folder, 'results.jsonl.partial-2'))).length);
    await older.close();
    await newer.close();
  });
});
