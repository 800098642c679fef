/** `npm run temporal:install`: finds or installs the Temporal CLI and test server and prints their paths. */
import { ensureTemporalBinaries, TemporalBinaryError } from './temporal-binaries';

function main(): void {
  try {
    const { cli, testServer } = ensureTemporalBinaries();
    console.log(`temporal CLI:          ${cli}`);
    console.log(`temporal test server:  ${testServer}`);
  } catch (err) {
    console.error(err instanceof TemporalBinaryError ? `hubrun: ${err.message}` : err);
    process.exitCode = 1;
  }
}

main();
