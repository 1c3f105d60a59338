// Shared helpers for the network benchmarks (test/bench/*-bench.mjs, run by run.mjs = `pnpm bench`).
// Plain .mjs like the lab: no build step, runs as root next to test/lab/lab.mjs.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, run } from '../lab/lab.mjs';

export { REPO_ROOT, run };

export const XMSCAN = join(REPO_ROOT, 'packages/scanner/bin/xmscan.mjs');
export const HELLO_HEX = '21310020' + 'ff'.repeat(28);

let privateRuntime = null;
/**
 * Environment for xmscan runs: a bench-private runtime directory, so the CLI's one-scan-at-a-time lock
 * (cli/lock.ts) never meets a scan of another user of this machine, nor one of ours left behind.
 */
export function xmscanEnv() {
  privateRuntime ??= mkdtempSync(join(tmpdir(), 'xmbench-run-'));
  // History (XDG_DATA_HOME) and state go there too: bench scans stay out of the user's scan history, and each
  // bench run starts from an empty history as a first-time user would.
  return { ...process.env, RUNTIME_DIRECTORY: privateRuntime, XDG_RUNTIME_DIR: privateRuntime, XDG_DATA_HOME: privateRuntime, XDG_STATE_HOME: privateRuntime };
}
const GNU_TIME = '/usr/bin/time';

export function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------- statistics

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, n } of a list of numbers (NaN-free). */
export function summarise(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return { median: median(v), min: v.length ? Math.min(...v) : NaN, max: v.length ? Math.max(...v) : NaN, n: v.length };
}

export const fmtMs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');

// ---------------------------------------------------------------------------------------------- machine

export function machineDescription() {
  const c = cpus();
  let os = release();
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) os = `${pretty[1]}, kernel ${release()}`;
  } catch {
    /* not Linux */
  }
  return {
    cpu: `${c.length} × ${c[0]?.model ?? 'unknown CPU'}`,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    os,
    node: process.version,
  };
}

/** `uptime`-style load, sampled now (the machine is shared: every result carries it). */
export function loadNow() {
  return loadavg().map((x) => +x.toFixed(2));
}

// ---------------------------------------------------------------------------------------------- processes

/**
 * Run a command under GNU time (wall, user+sys CPU, peak RSS of the command and its children). `prefix` goes
 * before /usr/bin/time (e.g. `ip netns exec <ns>`), so the figures are the tool's own, not the wrapper's.
 * @returns {Promise<{ stdout: string, stderr: string, code: number|null, wallMs: number, cpuMs: number|null, maxRssKiB: number|null }>}
 */
export async function timedRun(prefix, cmd, args, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'xmbench-'));
  const out = join(dir, 'time');
  const useTime = existsSync(GNU_TIME);
  const full = useTime ? [...prefix, GNU_TIME, '-o', out, '-f', '%e %U %S %M', cmd, ...args] : [...prefix, cmd, ...args];
  const t0 = performance.now();
  const r = await run(full[0], full.slice(1), { timeoutMs: opts.timeoutMs ?? 180_000, cwd: REPO_ROOT, env: opts.env, input: opts.input });
  const wallMs = performance.now() - t0;
  let cpuMs = null;
  let maxRssKiB = null;
  try {
    const line = readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
    const [, user, sys, rss] = line.split(/\s+/).map(Number);
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
    if (Number.isFinite(rss)) maxRssKiB = rss;
  } catch {
    /* time not installed or the command was killed */
  }
  rmSync(dir, { recursive: true, force: true });
  return { ...r, wallMs, cpuMs, maxRssKiB };
}

/** VmRSS of a live process in KiB (0 when gone). */
export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------- peers

const has = async (cmd) => (await run('sh', ['-c', `command -v ${cmd}`])).code === 0;
const hasPythonMiio = async () => (await run('/usr/bin/python3', ['-c', 'import miio.miioprotocol, click'])).code === 0;

/** What the peers need, by Debian package. */
const PEER_PACKAGES = ['nmap', 'python3-miio', 'avahi-utils', 'avahi-daemon', 'dbus', 'time'];

export async function peerAvailability() {
  return {
    nmap: await has('nmap'),
    pythonMiio: existsSync('/usr/bin/python3') && (await hasPythonMiio()),
    avahi: (await has('avahi-browse')) && (await has('avahi-daemon')) && (await has('dbus-daemon')),
    time: existsSync(GNU_TIME),
  };
}

/**
 * Install the missing peers from Debian packages (root, apt). `apt-get update` first: a fresh machine has no
 * package lists. Failures are reported, never fatal: a missing peer is a skipped column.
 */
export async function ensurePeers({ install = true } = {}) {
  let avail = await peerAvailability();
  const missing = Object.entries(avail).filter(([, ok]) => !ok);
  if (missing.length === 0 || !install) return avail;
  if (!(await has('apt-get'))) {
    log(`peers missing (${missing.map(([k]) => k).join(', ')}) and no apt-get: those columns are skipped`);
    return avail;
  }
  log(`installing peers: apt-get update && apt-get install -y ${PEER_PACKAGES.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const u = await run('apt-get', ['update', '-qq'], { timeoutMs: 600_000, env });
  if (u.code !== 0) log(`apt-get update failed: ${u.stderr.trim().slice(-300)}`);
  const i = await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PEER_PACKAGES], { timeoutMs: 900_000, env });
  if (i.code !== 0) log(`apt-get install failed: ${i.stderr.trim().slice(-300)}`);
  avail = await peerAvailability();
  return avail;
}

// ---------------------------------------------------------------------------------------------- lab inputs

/** The TCP ports xmscan's audit may probe: its default list plus every family's extras (from the build). */
export async function auditTcpPorts() {
  const m = await import(join(REPO_ROOT, 'packages/miio-probe/dist/index.js'));
  const all = new Set(m.DEFAULT_TCP_PORTS);
  for (const extra of Object.values(m.FAMILY_EXTRA_PORTS ?? {})) for (const p of extra) all.add(p);
  return [...all].sort((a, b) => a - b);
}

/** Native-JSON tokens file (did, token, ip) from a lab manifest, as a user's token export would be. */
export function writeTokensFile(manifest, file) {
  // A device without miIO (did 0 in the manifest) is matched by address only.
  writeFileSync(file, JSON.stringify(manifest.devices.map((d) => ({ ...(d.did ? { did: String(d.did) } : {}), token: d.token, ip: d.address })), null, 1));
  return file;
}

const hex = (s, n) => createHash('md5').update(s).digest('hex').slice(0, n);

/**
 * A profile set of `n` devices for the lab: the built-in `lab` set repeated, each copy with its own name, did,
 * token and MAC (same OUI, so vendor classification stays what it is for the original). Deterministic.
 */
export function makeProfileSet(n, file, { addresses = null } = {}) {
  const base = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/simulator/profiles/lab.json'), 'utf8')).devices;
  const devices = [];
  for (let k = 0; k < n; k++) {
    const src = structuredClone(base[k % base.length]);
    const copy = Math.floor(k / base.length);
    if (copy > 0) {
      src.name = `${src.name}-${copy}`;
      if (src.did !== 0) src.did = 300_000_000 + k * 7919; // 0: no miIO (host, router)
      src.token = hex(`xmscan-bench-token-${k}`, 32);
      const tail = hex(`xmscan-bench-mac-${k}`, 6).match(/../g).join(':');
      src.mac = `${src.mac.slice(0, 8)}:${tail}`;
      if (src.router) src.router.serial = `${10000 + k}/BENCH${k}`;
      if (src.lumiGateway) delete src.lumiGateway.sid;
      if (src.hostname) delete src.hostname;
      for (const ad of src.mdns ?? []) delete ad.name;
    }
    delete src.address;
    if (addresses) src.address = addresses[k];
    devices.push(src);
  }
  writeFileSync(file, JSON.stringify({ devices }, null, 1));
  return file;
}
