/**
 * Where the AI Hub client takes its bearer token from. A fixed string never changes; a
 * {@link FileTokenSource} follows a secret file (`AIHUB_API_TOKEN_FILE`) that an operator or
 * a secret store rotates while the worker runs. Tokens live in private fields only.
 */
import { readFileSync, statSync } from 'node:fs';

/** A bearer token that may change while the client lives. */
export interface TokenSource {
  /** The token to send now (cheap: called before every request). */
  current(): string;
  /**
   * Called after a 401: looks for a newer token and answers whether it differs from the one
   * just refused (the request is then sent once more with it).
   */
  refresh(): boolean;
}

/** A token that never changes: `refresh` has nothing newer to offer. */
export class StaticTokenSource implements TokenSource {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  /** The token given at construction. */
  current(): string {
    return this.#token;
  }

  /** Always false: a fixed token has no newer version. */
  refresh(): boolean {
    return false;
  }
}

/**
 * The token held in a file, trimmed: re-read when the file's modification time, size or inode
 * changes (checked before every request, one `stat`), and on every {@link refresh}. A file that
 * is missing, unreadable or empty for a moment (mid-rotation) leaves the last good token in use.
 */
export class FileTokenSource implements TokenSource {
  readonly #path: string;
  #token: string;
  #version: string | undefined;

  /** `initial` is the token already read from `path` (at start-up, by the configuration). */
  constructor(path: string, initial: string) {
    this.#path = path;
    this.#token = initial;
    this.#version = this.#versionOf();
  }

  /** The file's token, re-read first when the file changed since it was last read. */
  current(): string {
    const version = this.#versionOf();
    if (version !== undefined && version !== this.#version) this.#reread(version);
    return this.#token;
  }

  /** Re-reads the file whatever its times say; true when it now holds another token. */
  refresh(): boolean {
    const before = this.#token;
    this.#reread(this.#versionOf());
    return this.#token !== before;
  }

  #reread(version: string | undefined): void {
    try {
      const token = readFileSync(this.#path, 'utf8').trim();
      if (token === '') return;
      this.#token = token;
      this.#version = version;
    } catch {
      // Keep the last good token: the rotation may be half done.
    }
  }

  #versionOf(): string | undefined {
    try {
      const info = statSync(this.#path);
      return `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch {
      return undefined;
    }
  }
}

/** A {@link TokenSource} for `token`: itself when it is one, else a fixed token. */
export function tokenSourceOf(token: string | TokenSource): TokenSource {
  return typeof token === 'string' ? new StaticTokenSource(token) : token;
}
