// Loads the bundled CLI with V8's code cache, so that from the second run of a command on V8
// reuses the compiled code of the functions it ran instead of compiling them again (a large part
// of loading the Temporal client). The cache is made after the command has run, so it holds the
// functions compiled lazily on the way: Node's own compile cache (module.enableCompileCache, from
// 22.1) and the v8-compile-cache package keep the cache made before the code runs, which holds
// little more than the top level (`status` on Node 24: 0.30 s of CPU with Node's, 0.24 s with this).
//
// V8 caches the functions that had run when the cache was made, so each command (`status`,
// `list`, ...) has a cache of its own: a file per Node version, bundle and command, in a folder of
// the user's own (mode 0700, owned by them), written once, after the command's first run
// (atomically: a temporary file renamed).
// Anything wrong with it (missing, rejected by V8, unwritable, another user's folder) only means
// the command compiles as it would have without it.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, runs before any build exists */
const {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

/** The user's own cache folder, or undefined where it is not safely theirs. */
function cacheFolder() {
  const uid = process.getuid?.();
  const folder = join(tmpdir(), `hubrun-code-cache-${uid ?? 'user'}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = statSync(folder);
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o077) !== 0)) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

/**
 * Runs the CommonJS module `file` as `require(file)` would, with the code cache kept for `key`
 * (the command about to run); returns its exports.
 */
function requireWithCodeCache(file, key) {
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const folder = cacheFolder();
  // Caches of this Node for earlier builds of the bundle are dropped when a new one is written.
  const node = `${process.version}-${process.arch}-`;
  const build = `${node}${size}-${Math.floor(mtimeMs)}-`;
  const cacheFile = folder && join(folder, `${build}${key.replace(/\W/g, '_')}.bin`);
  let cachedData;
  try {
    cachedData = cacheFile && readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, cacheFile);
        for (const name of readdirSync(folder)) {
          if (name.startsWith(node) && !name.startsWith(build)) rmSync(join(folder, name), { force: true });
        }
      } catch {
        // No cache this time; the next command tries again.
      }
    });
  }
  const module = new Module(file, require.main);
  module.filename = file;
  require.cache[file] = module;
  const wrapper = script.runInThisContext();
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

module.exports = { requireWithCodeCache };
