/**
 * The emulator's bytes on disk: batch files, multipart parts and the drive, under one data dir.
 * Uploads are streamed to a temp file and renamed into place, never buffered whole in memory.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { INPUT_DIR_RECURSIVE } from './undocumented';

/** Thrown when an upload holds more bytes than allowed. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/** Thrown for a file or drive path the emulator refuses (`..`, empty segments, separators in a name). */
export class BadPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadPathError';
  }
}

/** One file found in a drive folder. */
export interface DriveFile {
  name: string;
  /** Path relative to the drive root, `<org>/<workspace>/fs/<drive>/<folder>/<name>`. */
  drivePath: string;
  diskPath: string;
}

/** Where the emulator keeps bytes, and the streaming operations on them. */
export class FileStore {
  constructor(readonly root: string) {}

  /** Disk path of a batch file (names are percent-encoded, so any name maps to one flat file). */
  batchFilePath(batchId: number, name: string): string {
    return join(this.batchDir(batchId), encodeURIComponent(name));
  }

  batchDir(batchId: number): string {
    return join(this.root, 'batches', String(batchId));
  }

  sessionDir(sessionId: string): string {
    return join(this.root, 'multipart', encodeURIComponent(sessionId));
  }

  partPath(sessionId: string, partNum: number): string {
    return join(this.sessionDir(sessionId), String(partNum));
  }

  /** Disk path of a drive path (`acme/Claims/fs/Instabase Drive/inbox`, leading slash optional). */
  drivePath(path: string): string {
    return join(this.root, 'drive', ...driveSegments(path));
  }

  /** Streams `source` into `dest` (atomically: temp file + rename); fails with {@link TooLargeError} beyond `maxBytes`. */
  async writeStream(source: Readable, dest: string, maxBytes: number): Promise<number> {
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.upload`;
    let size = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) callback(new TooLargeError(maxBytes));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(source, limiter, createWriteStream(tmp));
      await rename(tmp, dest);
      return size;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Concatenates `parts` into `dest` (atomically) and answers the total size. */
  async concat(parts: string[], dest: string): Promise<number> {
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(6).toString('hex')}.upload`;
    const out = createWriteStream(tmp);
    try {
      for (const part of parts) await pipeline(createReadStream(part), out, { end: false });
      await new Promise<void>((resolve, reject) => {
        out.on('error', reject);
        out.end(resolve);
      });
      const { size } = await stat(tmp);
      await rename(tmp, dest);
      return size;
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** The files of a drive folder in name order, or null when the folder does not exist. */
  async listDriveFolder(path: string): Promise<DriveFile[] | null> {
    const segments = driveSegments(path);
    const dir = join(this.root, 'drive', ...segments);
    try {
      if (!(await stat(dir)).isDirectory()) return null;
    } catch {
      return null;
    }
    const found: DriveFile[] = [];
    const walk = async (disk: string, drive: string): Promise<void> => {
      const entries = await readdir(disk, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.endsWith('.upload')) continue;
        if (entry.isFile()) {
          found.push({
            name: entry.name,
            drivePath: `${drive}/${entry.name}`,
            diskPath: join(disk, entry.name),
          });
        } else if (entry.isDirectory() && INPUT_DIR_RECURSIVE) {
          await walk(join(disk, entry.name), `${drive}/${entry.name}`);
        }
      }
    };
    await walk(dir, segments.join('/'));
    return found;
  }

  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }
}

/** Splits a drive path into its segments, refusing `.`/`..`, separators and NUL. */
export function driveSegments(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new BadPathError('empty drive path');
  for (const s of segments) {
    if (s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
      throw new BadPathError(`'${s}' is not allowed in a drive path`);
    }
  }
  return segments;
}

/** Normalises a drive path: no leading or doubled slashes. */
export function normaliseDrivePath(path: string): string {
  return driveSegments(path).join('/');
}

/** Checks a batch file name; answers the reason it is refused, or null. */
export function badFileName(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return `'${name}' is not a file name`;
  if (name.includes('/') || name.includes('\\') || name.includes('\0'))
    return 'a file name holds no / \\ or NUL';
  if (name.length > 255) return 'a file name has at most 255 characters';
  return null;
}
