/**
 * vitest setupFile (issue 8, read-only across the suite): tag the simulators a test file starts, so
 * the global teardown (sim-log-global.ts) can name the file behind any write request it finds.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function tag(path: string | undefined): void {
  if (path) process.env['XMSCAN_SIM_LOG_TAG'] = relative(ROOT, path);
}

// Set before each file's tests run (a fork per file); child processes (xmsim, the lab) inherit it.
tag(expect.getState().testPath);
beforeAll(() => tag(expect.getState().testPath));
