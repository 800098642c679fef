// Bundles the compiled command line (DIST/cli/main.js and what it loads) into one file,
// DIST/cli/hubrun.js, which bin/hubrun.js runs: Node then reads and compiles one file instead of
// several hundred, and V8's code cache can hold all of it (bin/hubrun.js). Modules that must stay
// files of their own are left out and loaded from DIST as before:
// - the worker (it hands the Temporal SDK the paths of its workflow modules, and loads the native
//   core bridge), the emulator and the local dev stack (fastify, development only);
// - client-config.js, whose ConfigError the worker throws and the CLI recognises: one copy.
//   node scripts/bundle-cli.mjs DIST
import { build } from 'esbuild';
import { join, relative, resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');
const cli = join(dist, 'cli');
/** Compiled modules that stay files of their own, relative to DIST. */
const separate = [/^worker\.js$/, /^client-config\.js$/, /^emulator\//, /^dev\//, /^cli\/demo\.js$/];

/** Leaves `separate` modules out, required by their path from DIST/cli/. */
const keepSeparate = {
  name: 'keep-separate',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\.?\// }, (args) => {
      let target = resolve(args.resolveDir, args.path);
      if (!target.endsWith('.js')) target += '.js';
      const fromDist = relative(dist, target);
      if (!separate.some((pattern) => pattern.test(fromDist))) return undefined;
      const path = relative(cli, target);
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

await build({
  entryPoints: [join(cli, 'main.js')],
  outfile: join(cli, 'hubrun.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Native code and development-only packages are never bundled.
  external: ['@temporalio/worker', '@temporalio/core-bridge', 'fastify'],
  plugins: [keepSeparate],
  logLevel: 'warning',
  // A smaller file to read and hash on every command; names stay, so stack traces name functions.
  minifyWhitespace: true,
  minifySyntax: true,
});
