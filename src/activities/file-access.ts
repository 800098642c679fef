/**
 * Which local files a pipeline may have the worker upload. A workflow input comes from whoever
 * may start workflows on the task queue, so the worker must not read for them what only it may
 * read: a file is read only when its real path (every symlink resolved) lies under one of the
 * configured files roots, is none of the worker's secret files (compared by real path and by
 * inode, so no symlink or hard link gets round it), and lies under none of `/proc`, `/sys` and
 * `/dev`, whatever the roots say.
 */
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { resolve, sep } from 'node:path';

/** Folders never read, whatever the roots say: the kernel's views of processes, devices and itself. */
export const systemFolders: readonly string[] = ['/proc', '/sys', '/dev'];

/** What the worker may read: folders (real or not) and its own secret files. */
export interface FileAccessRules {
  /** Folders whose files may be uploaded; a root that does not exist holds nothing. */
  filesRoots: readonly string[];
  /** Files never uploaded, even under a root: the token, the PDF passwords, TLS keys. */
  secretFiles: readonly string[];
}

/** A file the worker may read: its real path and what `stat` says of it. */
export interface ReadableFile {
  realPath: string;
  info: Stats;
}

/** Whether `path` is `folder` or lies under it (`/a/bc` is not under `/a/b`). */
export function isUnder(path: string, folder: string): boolean {
  if (path === folder) return true;
  return path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

const forbidden = (path: string): string => `${path} may not be read: a secret or system file of the worker`;

/**
 * Resolves `path` (field `field` of the input) under `rules`; answers the file, or a problem
 * `field: ...` that names the path and never what the file holds.
 */
export async function readableFile(
  field: string,
  path: string,
  rules: FileAccessRules,
): Promise<ReadableFile | { problem: string }> {
  const problem = (text: string): { problem: string } => ({ problem: `${field}: ${text}` });
  // Before any look at the file: reading /proc and /dev entries can block or tell tales.
  if (systemFolders.some((folder) => isUnder(resolve(path), folder))) return problem(forbidden(path));
  let realPath: string;
  let info: Stats;
  try {
    realPath = await realpath(path);
    info = await stat(realPath);
  } catch (err) {
    return problem(`${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (systemFolders.some((folder) => isUnder(realPath, folder))) return problem(forbidden(path));
  const roots = await realPaths(rules.filesRoots);
  if (!roots.some(({ realPath: root }) => isUnder(realPath, root))) {
    return problem(`${path} is not under the worker's files roots (HUBRUN_FILES_ROOTS)`);
  }
  const secrets = await realPaths(rules.secretFiles);
  const isSecret = secrets.some(
    (secret) =>
      secret.realPath === realPath || (secret.info.dev === info.dev && secret.info.ino === info.ino),
  );
  if (isSecret) return problem(forbidden(path));
  return { realPath, info };
}

/** The real paths and stats of those of `paths` that exist (a rotated secret resolves anew each time). */
async function realPaths(paths: readonly string[]): Promise<ReadableFile[]> {
  const found = await Promise.all(
    paths.map(async (path) => {
      try {
        const realPath = await realpath(path);
        return { realPath, info: await stat(realPath) };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((f): f is ReadableFile => f !== undefined);
}
