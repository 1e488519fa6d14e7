#!/usr/bin/env node
// The `sheaf` command. Runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'node', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`sheaf: ${entry} is missing; run 'npm run build' first\n`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exit(await main(process.argv.slice(2)));
