#!/usr/bin/env node
// `pnpm bench`: run every test/bench/*.bench.ts once with vitest bench (no watch). CPU-only, no sockets.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = ['exec', 'vitest', 'bench', '--run', ...(process.argv.length > 2 ? process.argv.slice(2) : ['test/bench'])];
const r = spawnSync('pnpm', args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
