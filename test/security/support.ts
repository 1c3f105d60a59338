/**
 * Shared by the issue-8 security tests (test/security/*.test.ts): run the built CLI, read the
 * namespace's packet counters, and look for secrets in text and raw bytes.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
export const BUILT = existsSync(fileURLToPath(new URL('../../packages/scanner/dist/cli/main.js', import.meta.url)));

/** Only lo is up: we are inside `unshare -n` (pnpm test as root), so broadcasts and sweeps stay here. */
export const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `xmscan args…` as a child process with a private HOME / XDG tree (never the real history or config). */
export function xmscan(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; uid?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: opts.timeoutMs ?? 40_000, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, cwd: opts.cwd, killSignal: 'SIGKILL', ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}) },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Start `xmscan args…`, send `signal` once stderr matches `when` (the scan is under way), then wait for
 * the exit. For SIGINT/SIGTERM mid-scan.
 */
export function xmscanInterrupted(
  args: readonly string[],
  signal: NodeJS.Signals,
  opts: { env?: NodeJS.ProcessEnv; when: RegExp; delayMs?: number; timeoutMs?: number; uid?: number; gid?: number },
): Promise<CliRun & { signalled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      if (!signalled && opts.when.test(stderr)) {
        signalled = true;
        setTimeout(() => child.kill(signal), opts.delayMs ?? 0);
      }
    });
    const hard = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 40_000);
    child.on('close', (code, sig) => {
      clearTimeout(hard);
      resolve({ code, signal: sig, stdout, stderr, signalled });
    });
  });
}

/** Counters of this network namespace (/proc/net/snmp): datagrams and IP packets sent, TCP connects opened. */
export function netCounters(): { udpOut: number; ipOut: number; tcpOpens: number } {
  const lines = readFileSync('/proc/net/snmp', 'utf8').trim().split('\n');
  const field = (proto: string, name: string): number => {
    const rows = lines.filter((l) => l.startsWith(`${proto}:`));
    const head = rows[0]!.split(/\s+/);
    const vals = rows[1]!.split(/\s+/);
    return Number(vals[head.indexOf(name)]);
  };
  return {
    udpOut: field('Udp', 'OutDatagrams') + field('UdpLite', 'OutDatagrams'),
    ipOut: field('Ip', 'OutRequests'),
    tcpOpens: field('Tcp', 'ActiveOpens'),
  };
}

/** A secret in every form it could leak in: text needles (hex both cases, base64, base64url) and its raw bytes. */
export interface Needle {
  label: string;
  text: string[];
  raw: Buffer | null;
}

export function tokenNeedle(label: string, hex: string): Needle {
  const raw = Buffer.from(hex, 'hex');
  const text = new Set([hex.toLowerCase(), hex.toUpperCase(), raw.toString('base64'), raw.toString('base64url'), raw.toString('base64').replace(/=+$/, '')]);
  return { label, text: [...text], raw };
}

export function plainNeedle(label: string, value: string): Needle {
  return { label, text: [value], raw: null };
}

export interface SecretHit {
  where: string;
  needle: string;
  form: string;
  bytes: number;
}

/** Every occurrence of every needle form in `bytes` (a file or a captured stream). */
export function findSecretBytes(where: string, bytes: Buffer, needles: readonly Needle[]): SecretHit[] {
  const hits: SecretHit[] = [];
  const count = (hay: Buffer, n: Buffer): number => {
    let k = 0;
    for (let i = hay.indexOf(n); i !== -1; i = hay.indexOf(n, i + 1)) k++;
    return k;
  };
  for (const n of needles) {
    for (const t of n.text) {
      const b = Buffer.from(t, 'utf8');
      const k = count(bytes, b);
      if (k > 0) hits.push({ where, needle: n.label, form: t === t.toLowerCase() && /^[0-9a-f]+$/.test(t) ? 'hex' : /^[0-9A-F]+$/.test(t) ? 'HEX' : 'base64', bytes: k * b.length });
    }
    if (n.raw) {
      const k = count(bytes, n.raw);
      if (k > 0) hits.push({ where, needle: n.label, form: 'raw', bytes: k * n.raw.length });
      // UTF-16LE text (SQLite can store text that way).
      for (const t of n.text.slice(0, 1)) {
        const k2 = count(bytes, Buffer.from(t, 'utf16le'));
        if (k2 > 0) hits.push({ where, needle: n.label, form: 'utf16', bytes: k2 * t.length * 2 });
      }
    }
  }
  return hits;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until this namespace is quiet (counters unchanged for `quietMs`, at most `maxMs`): a packet
 * still leaving from an earlier test (a late FIN, an ICMP error) must not be charged to the next run.
 */
export async function settleCounters(quietMs = 300, maxMs = 3000): Promise<void> {
  const t0 = Date.now();
  let last = JSON.stringify(netCounters());
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    await sleep(50);
    const now = JSON.stringify(netCounters());
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}
