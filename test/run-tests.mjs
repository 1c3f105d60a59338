#!/usr/bin/env node
// The project's test command (`pnpm test`, `pnpm test:fuzz`):
//   1. `pnpm build` (the lab and e2e tests run the built bins);
//   2. as root, re-run itself inside a fresh network namespace (`unshare -n`, only lo, multicast routed to lo) so
//      no test can put a packet on the machine's real network; the lab builds its own namespaces from there;
//   3. `vitest run` (or the fuzz config) with a JSON reporter next to the default one;
//   4. one plain summary line, `N passed, N failed[, N skipped]`, and a non-zero exit if anything failed or
//      nothing ran.
// Usage: node test/run-tests.mjs [--fuzz] [--no-build] [vitest args...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

const argv = process.argv.slice(2);
const fuzz = argv.includes('--fuzz');
const noBuild = argv.includes('--no-build') || process.env.XMSCAN_TESTS_BUILT === '1';
const passThrough = argv.filter((a) => a !== '--fuzz' && a !== '--no-build');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function log(msg) {
  process.stderr.write(`[run-tests] ${msg}\n`);
}

function summary(passed, failed, skipped) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

// 1. build (once: the isolated re-run skips it)
if (!noBuild) {
  log('pnpm build');
  const b = spawnSync('pnpm', ['build'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) {
    log(`build failed (${b.error ? b.error.message : `exit ${b.status}`})`);
    console.log(summary(0, 0, 0));
    process.exit(1);
  }
}

// 2. isolation
if (isRoot && !process.env.XMSCAN_ISOLATED) {
  log('root: re-running inside `unshare -n` (fresh network namespace: lo only, multicast via lo)');
  const setup = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"';
  const r = spawnSync('unshare', ['-n', 'sh', '-c', setup, process.execPath, SELF, ...passThrough, ...(fuzz ? ['--fuzz'] : [])], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, XMSCAN_ISOLATED: '1', XMSCAN_TESTS_BUILT: '1' },
  });
  if (r.error || r.status === null) {
    // Never fall back to running un-isolated as root: the tests broadcast.
    log(`could not isolate the tests: ${r.error ? r.error.message : `signal ${r.signal}`}`);
    console.log(summary(0, 0, 0));
    process.exit(1);
  }
  process.exit(r.status);
}
if (!isRoot) log('not root: running without network isolation; lab tests will be skipped');

// 3. vitest
const vitestBin = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
if (!existsSync(vitestBin)) {
  log(`vitest not installed (${vitestBin}): run pnpm install`);
  console.log(summary(0, 0, 0));
  process.exit(1);
}
const tmp = mkdtempSync(join(tmpdir(), 'xmscan-tests-'));
const jsonFile = join(tmp, 'vitest.json');
// Long fuzz pass: every target of every *.fuzz.ts file gets XMSCAN_FUZZ_TARGET_SECONDS (default 60) of wall
// time. codec.fuzz.ts takes one budget for its 7 properties (XMSCAN_FUZZ_SECONDS), so give it 7 times that;
// the files run side by side, one fork per CPU.
const fuzzEnv = {};
if (fuzz) {
  const perTarget = Number(process.env.XMSCAN_FUZZ_TARGET_SECONDS ?? 60);
  fuzzEnv.XMSCAN_FUZZ_TARGET_SECONDS = String(perTarget);
  fuzzEnv.XMSCAN_FUZZ_SECONDS = process.env.XMSCAN_FUZZ_SECONDS ?? String(7 * perTarget);
}
const args = [
  vitestBin,
  'run',
  ...(fuzz ? ['--config', 'vitest.fuzz.config.ts', `--maxWorkers=${Math.max(2, availableParallelism())}`] : []),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${jsonFile}`,
  ...passThrough,
];
// Tests must never read or write the user's own xmscan state (history, config, lock): point every XDG
// directory into this run's temp dir.
const xdgEnv = {};
for (const name of ['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR']) {
  const dir = join(tmp, name.toLowerCase());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  xdgEnv[name] = dir;
}
const v = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...xdgEnv, ...fuzzEnv } });

// 4. count from the JSON report
let passed = 0;
let failed = 0;
let skipped = 0;
let ran = false;
try {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  for (const file of report.testResults ?? []) {
    const results = file.assertionResults ?? [];
    for (const t of results) {
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
      else skipped++; // pending, skipped, todo, disabled
    }
    // A file that failed to load (syntax error, throwing import, failing hook) has no failed test of its own.
    if (file.status === 'failed' && !results.some((t) => t.status === 'failed')) failed++;
  }
  ran = true;
} catch (err) {
  log(`no readable JSON report (${err.message}); vitest exit ${v.status ?? v.signal}`);
}
rmSync(tmp, { recursive: true, force: true });

console.log(summary(passed, failed, skipped));
const ok = ran && v.status === 0 && failed === 0 && passed > 0;
if (ran && passed === 0 && failed === 0) log('no test ran');
process.exit(ok ? 0 : 1);
