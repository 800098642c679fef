/** Port checks for the local stack: is something already listening, and waiting until it does. */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when a TCP connection to `host:port` succeeds. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `host:port` accepts connections; throws after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  what: string,
  host = '127.0.0.1',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isListening(port, host))) {
    if (Date.now() > deadline)
      throw new Error(`${what} did not start listening on ${host}:${port} within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}
