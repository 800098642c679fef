/**
 * The client's token sources: a token file is followed as it is rotated, and a 401 is retried
 * once, only when the source has a newer token, against the emulator over HTTP.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { AihubClient, FileTokenSource, isAihubHttpError, isAihubNetworkError } from '../../src/aihub';
import type { TokenSource } from '../../src/aihub';
import { EmulatorAdmin, startEmulator } from '../../src/emulator';
import type { Emulator } from '../../src/emulator';
import { rejectionOf } from '../helpers/failures';

const secretToken = (): string => `aihub_sk_live_${randomBytes(24).toString('base64url')}`;

async function fileWith(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'hubrun-token-')), 'aihub-api-token');
  await writeFile(path, text);
  return path;
}

/** A source that offers `tokens` one after another, each `refresh` moving to the next. */
function sequence(...tokens: string[]): TokenSource & { refreshes: number } {
  let at = 0;
  return {
    refreshes: 0,
    current: () => tokens[at] ?? '',
    refresh() {
      this.refreshes += 1;
      if (at + 1 >= tokens.length) return false;
      at += 1;
      return true;
    },
  };
}

describe('FileTokenSource', () => {
  it('follows the file as it is rewritten, and keeps the last good token while it is empty', async () => {
    const path = await fileWith('first\n');
    const source = new FileTokenSource(path, 'first');
    assert.equal(source.current(), 'first');
    await writeFile(path, 'second-token\n');
    assert.equal(source.current(), 'second-token');
    assert.equal(source.refresh(), false, 'nothing newer than what it read');
    await writeFile(path, '');
    assert.equal(source.current(), 'second-token');
    assert.equal(source.refresh(), false);
    await writeFile(path, 'third\n');
    assert.equal(source.refresh(), true);
    assert.equal(source.current(), 'third');
    assert.ok(!inspect(source).includes('third'), 'the token is in a private field');
  });
});

describe('a 401 with a token source', () => {
  const good = secretToken();
  let emulator: Emulator;
  let admin: EmulatorAdmin;
  before(async () => {
    emulator = await startEmulator({ tokens: [good] });
    admin = new EmulatorAdmin(emulator.adminUrl);
  });
  after(() => emulator.close());

  const client = (token: TokenSource): AihubClient => new AihubClient({ apiRoot: emulator.url, token });

  it('is retried once with the newer token, which succeeds', async () => {
    await admin.resetCalls();
    const source = sequence(secretToken(), good);
    await client(source).listBatches();
    assert.deepEqual(
      (await admin.calls()).log.map((c) => c.status),
      [401, 200],
    );
  });

  it('is final when the source has nothing newer, or when the newer token is refused too', async () => {
    for (const source of [sequence(secretToken()), sequence(secretToken(), secretToken(), good)]) {
      await admin.resetCalls();
      const err = await rejectionOf(client(source).listBatches());
      assert.ok(isAihubHttpError(err) && err.status === 401, String(err));
      assert.ok((await admin.calls()).log.length <= 2, 'at most one retry');
      assert.ok(source.refreshes <= 1);
    }
  });

  it('a streamed upload is not sent twice: it fails as retryable, for the next attempt', async () => {
    await admin.resetCalls();
    const { id } = await client(sequence(good)).createBatch({ name: 'stream' });
    await admin.resetCalls();
    const source = sequence(secretToken(), good);
    const err = await rejectionOf(
      client(source).putBatchFile(id, 'a.txt', Readable.from([Buffer.from('abc')]), 3),
    );
    assert.ok(isAihubNetworkError(err) && err.code === 'TOKEN_ROTATED', String(err));
    assert.equal((await admin.calls()).log.length, 1);
    await client(source).putBatchFile(id, 'a.txt', Readable.from([Buffer.from('abc')]), 3);
  });
});
