/** The command line's error for bad usage: `hubrun` prints its message and exits 2, having started nothing. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
