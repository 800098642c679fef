/** A free TCP port on the loopback interface, for the servers the benchmarks start. */
import { createServer } from 'node:net';

/** Asks the OS for a free port (bound and released at once; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
