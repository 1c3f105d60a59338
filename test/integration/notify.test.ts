/**
 * Issue 6 acceptance: `xmscan scan --history … --notify http://127.0.0.1:<port>/…` (the built CLI, a child
 * process) against the in-process simulator's demo home on 127.0.0.x, with a local HTTP receiver on
 * 127.0.0.1 standing in for every notification target. Between runs the simulated home changes by
 * starting a different subset of devices. Runs only in an isolated namespace (`pnpm test` as root):
 * the scan's default discovery sources multicast. The retry/backoff timing itself is unit-tested with a
 * fake clock (packages/scanner/src/notify/retry.test.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '@xmscan/simulator';
import { homeAssistantTokens, secretNeedles } from './scan-support.js';

const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../packages/scanner/dist/cli/main.js', import.meta.url));
const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);
const why = !isolated ? 'needs an isolated network namespace (pnpm test as root)' : !existsSync(BUILT) ? 'scanner not built' : null;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  answered: number;
}

/** The receiver: records every request; answers from `plan` (status per request, then `fallback`). */
const receiver = {
  server: undefined as Server | undefined,
  port: 0,
  got: [] as Received[],
  plan: [] as number[],
  fallback: 200,
  reset(plan: number[] = [], fallback = 200) {
    this.got = [];
    this.plan = plan;
    this.fallback = fallback;
  },
};

let dir: string;
let tokensFile: string;
let historyFile: string;
let sim: RunningSimulator | undefined;
let allTokens: string[] = [];

async function runSim(only: string[]): Promise<RunningSimulator> {
  await sim?.stop();
  sim = await startSimulator({ profiles: 'demo', only, loopbackMulticast: true });
  return sim;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function scanCli(extra: string[] = []): Promise<Run> {
  const t0 = Date.now();
  const url = (path: string) => `http://127.0.0.1:${receiver.port}${path}`;
  return new Promise((resolve) => {
    // execFile (async): the receiver lives in this process and must keep answering while the CLI runs.
    execFile(
      process.execPath,
      [BIN, 'scan', '--target', '127.0.0.10-127.0.0.20', '--json', '--tokens', tokensFile, '--history', historyFile, '--fail-on', 'none', '--notify', url('/hook'), '--notify', `ntfy+http://127.0.0.1:${receiver.port}/xmscan-topic`, '--lock-file', join(dir, 'scan.lock'), ...extra],
      { timeout: 60_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, XDG_CONFIG_HOME: dir } /* no user config file */ },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, wallMs: Date.now() - t0 });
      },
    );
  });
}

function expectNoToken(): void {
  const needles = secretNeedles(allTokens);
  expect(allTokens.length).toBeGreaterThan(0);
  for (const r of receiver.got) {
    const text = r.body.toString('utf8') + JSON.stringify(r.headers);
    for (const n of needles) expect(text.includes(n), `payload to ${r.path} contains a token form`).toBe(false);
    for (const t of allTokens) expect(r.body.includes(Buffer.from(t, 'hex')), `raw token bytes in payload to ${r.path}`).toBe(false);
    // the scrub's own rule, checked from outside: no 32-hex run anywhere
    expect(/[0-9a-f]{32}/i.test(text.replace(/tok:[0-9a-f]{12}/gi, ''))).toBe(false);
  }
}

const hooks = () => receiver.got.filter((r) => r.path === '/hook');
const ntfys = () => receiver.got.filter((r) => r.path === '/xmscan-topic');

beforeAll(async () => {
  if (why) return;
  dir = mkdtempSync(join(tmpdir(), 'xmscan-notify-it-'));
  historyFile = join(dir, 'history.sqlite');
  receiver.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = receiver.plan.shift() ?? receiver.fallback;
      receiver.got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => receiver.server!.listen(0, '127.0.0.1', () => r()));
  receiver.port = (receiver.server.address() as AddressInfo).port;
  // Tokens for the whole demo home (supplied tokens make the scan verify them: the run holds real secrets).
  const full = await runSim(['vacuum', 'plug', 'humidifier', 'gateway']);
  allTokens = full.manifest.devices.map((d) => d.token);
  tokensFile = join(dir, 'tokens.json');
  writeFileSync(tokensFile, homeAssistantTokens(full.manifest.devices));
  await sim?.stop();
  sim = undefined;
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  receiver.server?.closeAllConnections();
  await new Promise<void>((r) => (receiver.server ? receiver.server.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(why !== null)('xmscan scan --notify (CLI end to end, loopback receiver)', () => {
  it('first run: one message per target; an unchanged run: none', async () => {
    await runSim(['vacuum', 'plug']);
    receiver.reset();
    const first = await scanCli();
    expect(first.code, first.stderr).toBe(0);
    expect(hooks()).toHaveLength(1);
    expect(ntfys()).toHaveLength(1);
    const doc = JSON.parse(hooks()[0]!.body.toString('utf8'));
    expect(doc).toMatchObject({ tool: { name: 'xmscan' }, previousStartedAt: null });
    expect(doc.summary.devices).toBeGreaterThanOrEqual(2);
    expect(doc.changes.some((c: { kind: string; device: string }) => c.kind === 'device-new' && c.device === `did:${sim!.manifest.devices.find((d) => d.name === 'vacuum')!.did}`)).toBe(true);
    const ntfy = ntfys()[0]!;
    expect(ntfy.headers['content-type']).toMatch(/^text\/plain/);
    expect(ntfy.headers['title']).toMatch(/^xmscan: /);
    expect(['4', '5']).toContain(ntfy.headers['priority']); // the vacuum's exposed token is critical
    expectNoToken();

    receiver.reset();
    const second = await scanCli();
    expect(second.code, second.stderr).toBe(0);
    expect(receiver.got).toHaveLength(0);
  }, 90_000);

  it('a run with a new device: exactly one message per target, after retrying a 500', async () => {
    await runSim(['vacuum', 'plug', 'humidifier']);
    receiver.reset([500]); // the first request of the run fails once
    const run = await scanCli();
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.got).toHaveLength(3); // one 500 + one retry + the other target
    expect(receiver.got.filter((r) => r.answered === 200)).toHaveLength(2);
    const accepted = hooks().filter((r) => r.answered === 200);
    const ok = accepted[0] ?? ntfys().find((r) => r.answered === 200)!;
    const humidifier = sim!.manifest.devices.find((d) => d.name === 'humidifier')!;
    const text = ok.body.toString('utf8');
    expect(text).toContain(humidifier.address);
    const hookDoc = JSON.parse(hooks().find((r) => r.answered === 200)!.body.toString('utf8'));
    expect(hookDoc.previousStartedAt).not.toBeNull();
    expect(hookDoc.summary.changes['device-new']).toBe(1);
    expect(hookDoc.changes.find((c: { kind: string }) => c.kind === 'device-new').device).toBe(`did:${humidifier.did}`);
    expectNoToken();
  }, 90_000);

  it('a receiver that always fails: bounded retries, exit 3, the report still printed', async () => {
    await runSim(['vacuum', 'plug', 'humidifier', 'gateway']);
    receiver.reset([], 500);
    const run = await scanCli();
    expect(run.code, run.stderr).toBe(3);
    // 3 attempts per target, then give up
    expect(hooks()).toHaveLength(3);
    expect(ntfys()).toHaveLength(3);
    const doc = JSON.parse(run.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.devices.length).toBeGreaterThanOrEqual(4);
    expect(run.stderr).toMatch(/notification to webhook http:\/\/127\.0\.0\.1:\d+\/\*\*\* failed after 3 attempts: receiver answered HTTP 500 \[SCAN_ERR_NOTIFY_HTTP\]/);
    expect(run.stderr).not.toContain('xmscan-topic');
    expectNoToken();
    // With a finding at or above --fail-on, 1 wins over 3.
    receiver.reset([], 500);
    await runSim(['vacuum', 'plug', 'humidifier', 'gateway', 'camera']);
    const withFindings = await scanCli(['--fail-on', 'high']);
    expect(withFindings.code, withFindings.stderr).toBe(1);
    expect(hooks()).toHaveLength(3);
  }, 120_000);

  it('a bad --notify URL is a usage error before anything is scanned or sent', async () => {
    receiver.reset();
    const run = await scanCli(['--notify', 'gopher://user:hunter2@example.org/x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCAN_ERR_NOTIFY_URL/);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stdout).toBe('');
    expect(receiver.got).toHaveLength(0);
  });
});
