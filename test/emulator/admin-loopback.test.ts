/**
 * The `/_emulator` admin surface answers loopback clients only, unless the emulator is started
 * with `adminPublic` (`hubrun emulator --admin-public`). A non-loopback client is this machine
 * itself, reached through its own non-loopback interface address: no traffic leaves the machine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { adminRefusal, isLoopbackAddress } from '../../src/emulator/admin-access';
import { harness } from './support';

/** One IPv4 address of this machine's own interfaces that is not loopback, if it has one. */
function ownNonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal && !isLoopbackAddress(address.address)) {
        return address.address;
      }
    }
  }
  return undefined;
}

const own = ownNonLoopbackAddress();

/** `GET <origin>/_emulator/health` and the answer's status and message. */
async function health(origin: string): Promise<{ status: number; message?: string }> {
  const answer = await fetch(`${origin}/_emulator/health`);
  const body = (await answer.json()) as { message?: string };
  return { status: answer.status, ...(body.message === undefined ? {} : { message: body.message }) };
}

describe('the admin surface listens on loopback only unless told otherwise', () => {
  it('tells loopback addresses from the others', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.ok(isLoopbackAddress(address), address);
      assert.equal(adminRefusal(address, false), null, address);
    }
    for (const address of ['192.0.2.2', '10.0.0.1', '::ffff:172.17.0.1', 'fe80::1', '::', '128.0.0.1']) {
      assert.ok(!isLoopbackAddress(address), address);
      assert.match(adminRefusal(address, false) ?? '', /--admin-public/, address);
      assert.equal(adminRefusal(address, true), null, `${address} with adminPublic`);
    }
    assert.ok(!isLoopbackAddress(undefined));
    assert.notEqual(adminRefusal(undefined, false), null);
  });

  if (own === undefined) {
    it('(this machine has no non-loopback interface: only the decision function above is tested)', () => {
      assert.notEqual(adminRefusal('192.0.2.2', false), null);
    });
    return;
  }
  const address = own;

  it(`bound on 0.0.0.0, refuses admin requests from ${address} with 403 naming the option, not API requests`, async () => {
    const h = await harness({ host: '0.0.0.0' });
    try {
      const remote = `http://${address}:${h.emulator.port}`;
      const refused = await health(remote);
      assert.equal(refused.status, 403);
      assert.match(refused.message ?? '', /adminPublic/);
      assert.match(refused.message ?? '', /--admin-public/);
      const faults = await fetch(`${remote}/_emulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ endpoint: '*', kind: 'error', status: 500 }] }),
      });
      assert.equal(faults.status, 403);
      assert.deepEqual(await h.admin.faults(), [], 'the refused request changed nothing');

      assert.equal((await health(h.emulator.adminUrl.replace(/\/_emulator$/, ''))).status, 200, 'loopback');
      const api = await fetch(`${remote}/api/v2/batches`, {
        headers: { authorization: `Bearer ${EMULATOR_DEFAULT_TOKEN}` },
      });
      assert.equal(api.status, 200, 'the API itself answers any address');
    } finally {
      await h.close();
    }
  });

  it(`with adminPublic, answers admin requests from ${address}`, async () => {
    const h = await harness({ host: '0.0.0.0', adminPublic: true });
    try {
      assert.equal((await health(`http://${address}:${h.emulator.port}`)).status, 200);
    } finally {
      await h.close();
    }
  });

  it(`hubrun emulator --admin-public opens the admin surface to ${address}`, async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '../../src/emulator/main.ts'),
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--no-state',
        '--admin-public',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/api/.exec(out);
          if (match) resolve(match[1] as string);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      assert.equal((await health(`http://${address}:${port}`)).status, 200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
