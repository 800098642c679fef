#!/usr/bin/env node
// The `hubrun` command: runs the compiled CLI when built (production), else the TypeScript sources through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  require(built).run(process.argv);
} else {
  require('tsx/cjs');
  require(join(__dirname, '..', 'src', 'cli', 'main.ts')).run(process.argv);
}
