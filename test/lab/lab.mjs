// The LAN lab: a virtual home network made of Linux network namespaces, one simulated device per namespace.
//
//   xm<id>-lan   bridge br0 + the scanner's interface eth0 (10.213.0.1/24), lo up
//   xm<id>-d<k>  eth0 (veth, MAC from the device profile, 10.213.0.(10+k)/24), lo up, one `xmsim --only <name>`
//
// Safety: nothing here touches the machine's own network namespace beyond creating namespaces. Every veth pair
// lives between the LAN namespace and a device namespace, no namespace gets a default route, and teardown only
// kills PIDs and deletes namespaces that this module recorded in its state file.
//
// Plain .mjs on purpose: usable from vitest, from the shell (cli.mjs) and from other tools without a build step.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync, openSync, closeSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAB_ROOT = process.env.XMSCAN_LAB_DIR ?? join(REPO_ROOT, '.lab');
export const LAB_SUBNET = '10.213.0.0/24';
export const SCANNER_ADDRESS = '10.213.0.1';
export const LAB_BROADCAST = '10.213.0.255';
export const NS_PREFIX = 'xm';

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const DEFAULT_GRACE_MS = 3_000;
const IP_TIMEOUT_MS = 10_000;

export class LabError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'LabError';
    this.code = code;
  }
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Why the lab cannot run here, or null when it can. */
export function labUnavailableReason() {
  if (process.platform !== 'linux') return 'the LAN lab needs Linux network namespaces';
  if (!isRoot()) return 'the LAN lab needs root (ip netns, veth, bridge)';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) return 'iproute2 (`ip`) is not installed';
  return null;
}

/** Path of the xmsim entry point (override with XMSCAN_LAB_SIM for plumbing tests with a stand-in). */
export function simulatorEntry() {
  return process.env.XMSCAN_LAB_SIM ?? join(REPO_ROOT, 'packages/simulator/bin/xmsim.mjs');
}

// ---------------------------------------------------------------------------------------------- small helpers

/**
 * Run a command, never throw on a non-zero exit; every call has a deadline.
 * @param {string} cmd @param {string[]} args @param {{ timeoutMs?: number, input?: string, env?: NodeJS.ProcessEnv, cwd?: string }} [opts]
 * @returns {Promise<{ stdout: string, stderr: string, code: number | null, signal: NodeJS.Signals | null }>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolvePromise) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? IP_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, cwd: opts.cwd, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        /** @type {any} */ const e = err;
        let code = 0;
        if (e) code = typeof e.code === 'number' ? e.code : null;
        if (e && typeof e.code === 'string') stderr = `${stderr}${stderr ? '\n' : ''}${e.message}`;
        resolvePromise({ stdout: String(stdout), stderr: String(stderr), code, signal: e?.signal ?? null });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** @param {string[]} args */
export async function ip(args, { allowFail = false } = {}) {
  const r = await run('ip', args);
  if (r.code !== 0 && !allowFail) throw new LabError('LAB_ERR_IP', `ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks): tells a recorded PID from a recycled one. */
export function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall = index 19 after (pid, comm)
  } catch {
    return null;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return /** @type {any} */ (e).code === 'EPERM';
  }
}

/** Is the recorded process still the one we started (same PID and same start time)? Zombies count as gone. */
function isSameProcess(rec) {
  const start = processStartTime(rec.pid);
  if (start === null) return false;
  if (rec.startTime != null && String(rec.startTime) !== start) return false;
  try {
    const state = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    if (state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) === 'Z') return false;
  } catch {
    return false;
  }
  return true;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function listNamespaces() {
  const r = await ip(['netns', 'list'], { allowFail: true });
  return new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((n) => n),
  );
}

function writeJsonAtomic(file, data) {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------- profiles

/** @param {string} nameOrPath */
export function resolveProfilesPath(nameOrPath) {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return isAbsolute(nameOrPath) ? nameOrPath : resolve(process.cwd(), nameOrPath);
  return join(REPO_ROOT, 'packages/simulator/profiles', `${nameOrPath}.json`);
}

/** Reads only what the lab needs from a profile file: names, MACs, optional addresses. */
export function readProfileDevices(nameOrPath) {
  const file = resolveProfilesPath(nameOrPath);
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LabError('LAB_ERR_PROFILES', `cannot read profile set ${nameOrPath} (${file}): ${/** @type {Error} */ (e).message}`);
  }
  if (!parsed || !Array.isArray(parsed.devices)) throw new LabError('LAB_ERR_PROFILES', `profile set ${file} has no "devices" array`);
  return parsed.devices.map((d) => ({ name: String(d.name), mac: typeof d.mac === 'string' ? d.mac : null, address: typeof d.address === 'string' ? d.address : null }));
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** The address a device gets: the profile's own only when it sits in the lab subnet (profiles default to 127.0.0.x). */
function labAddressFor(profile, k, taken) {
  const own = profile.address;
  const m = own && /^10\.213\.0\.(\d{1,3})$/.exec(own);
  if (m && Number(m[1]) >= 2 && Number(m[1]) <= 254 && !taken.has(own)) return own;
  let host = 10 + k;
  while (taken.has(`10.213.0.${host}`)) host++;
  if (host > 254) throw new LabError('LAB_ERR_ADDRESS', 'no free lab address left');
  return `10.213.0.${host}`;
}

// ---------------------------------------------------------------------------------------------- state

function stateDir(id) {
  return join(LAB_ROOT, id);
}
function stateFile(id) {
  return join(stateDir(id), 'state.json');
}

/** All labs recorded on disk (including ones whose owner crashed). */
export function listLabStates() {
  if (!existsSync(LAB_ROOT)) return [];
  const out = [];
  for (const id of readdirSync(LAB_ROOT)) {
    const f = stateFile(id);
    if (!existsSync(f)) continue;
    try {
      out.push(JSON.parse(readFileSync(f, 'utf8')));
    } catch {
      // A half-written state cannot be trusted to name what to kill: leave it for a human.
    }
  }
  return out;
}

function newId() {
  return randomBytes(3).toString('hex');
}

// ---------------------------------------------------------------------------------------------- teardown

/**
 * Tear down one recorded lab: SIGTERM every recorded process, SIGKILL after the grace period, delete the recorded
 * namespaces. Idempotent: a missing process or namespace is fine.
 * @param {any} state @param {{ graceMs?: number, keepDir?: boolean }} [opts]
 */
export async function teardownState(state, opts = {}) {
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const procs = (state.processes ?? []).filter((p) => Number.isInteger(p.pid) && p.pid > 1 && isSameProcess(p));
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + grace;
  while (procs.some((p) => isSameProcess(p)) && Date.now() < deadline) await sleep(50);
  for (const p of procs) {
    if (isSameProcess(p)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  const killDeadline = Date.now() + 2_000;
  while (procs.some((p) => isSameProcess(p)) && Date.now() < killDeadline) await sleep(25);

  const present = await listNamespaces();
  // Device namespaces first, then the LAN one (deleting it removes the bridge and every veth peer).
  const names = (state.namespaces ?? []).filter((n) => typeof n === 'string' && n.startsWith(NS_PREFIX));
  const ordered = [...names.filter((n) => n !== state.lanNs), ...names.filter((n) => n === state.lanNs)];
  const errors = [];
  for (const ns of ordered) {
    if (!present.has(ns)) continue;
    const r = await ip(['netns', 'del', ns], { allowFail: true });
    if (r.code !== 0) errors.push(`${ns}: ${r.stderr.trim()}`);
  }
  const stillAlive = procs.filter((p) => isSameProcess(p)).map((p) => p.pid);
  if (errors.length || stillAlive.length) {
    throw new LabError('LAB_ERR_TEARDOWN', `lab ${state.id} teardown incomplete: ${[...errors, ...stillAlive.map((p) => `pid ${p} alive`)].join('; ')}`);
  }
  if (state.id && !opts.keepDir && !process.env.XMSCAN_LAB_KEEP) rmSync(stateDir(state.id), { recursive: true, force: true });
  else if (state.id && existsSync(stateFile(state.id))) renameSync(stateFile(state.id), join(stateDir(state.id), 'state.stopped.json'));
}

/**
 * Tear down labs left behind by a process that no longer exists (a crashed test run). Labs started by the CLI
 * (`persistent`) are left alone unless `includePersistent`.
 * @returns {Promise<string[]>} ids torn down
 */
export async function cleanupStaleLabs({ includePersistent = false, graceMs } = {}) {
  const done = [];
  for (const state of listLabStates()) {
    const ownerAlive = state.owner && isSameProcess(state.owner);
    if (state.persistent ? !includePersistent : ownerAlive) continue;
    await teardownState(state, { graceMs });
    done.push(state.id);
  }
  return done;
}

// ---------------------------------------------------------------------------------------------- start

/**
 * Start xmsim in a namespace and wait (with a deadline) for its ready line. stdout and stderr go to files, not
 * pipes: a lab started by `pnpm lab:up` outlives the CLI, and a simulator writing to a closed pipe would die.
 * @returns {Promise<import('node:child_process').ChildProcess>}
 */
function startSimulator({ ns, args, logPrefix, timeoutMs, onSpawn }) {
  return new Promise((resolvePromise, reject) => {
    const outFile = `${logPrefix}.stdout`;
    writeFileSync(outFile, '');
    const out = openSync(outFile, 'a');
    const err = openSync(`${logPrefix}.stderr`, 'a');
    // `ip netns exec` execs the command, so the PID we get is the simulator's own.
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, simulatorEntry(), ...args], {
      stdio: ['ignore', out, err],
      detached: true, // own process group: a Ctrl-C on the shell that ran `lab:up` does not reach the lab
    });
    closeSync(out);
    closeSync(err);
    let settled = false;
    const finish = (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (e) reject(e);
      else resolvePromise(child);
    };
    const timer = setTimeout(() => finish(new LabError('LAB_ERR_READY_TIMEOUT', `xmsim in ${ns} not ready after ${timeoutMs} ms (see ${logPrefix}.stderr)`)), timeoutMs);
    const poll = setInterval(() => {
      let text = '';
      try {
        text = readFileSync(outFile, 'utf8');
      } catch {
        return;
      }
      if (/^xmsim ready \d+ device\(s\)$/m.test(text)) finish(null);
    }, 25);
    child.on('spawn', () => onSpawn(child));
    child.on('error', (e) => finish(new LabError('LAB_ERR_SPAWN', `cannot start xmsim in ${ns}: ${e.message}`)));
    child.on('exit', (code, signal) => finish(new LabError('LAB_ERR_SIM_EXIT', `xmsim in ${ns} exited before ready (code ${code}, signal ${signal}); see ${logPrefix}.stderr`)));
  });
}

/**
 * @typedef {{ devices?: number | string[], profiles?: string, id?: string, readyTimeoutMs?: number,
 *   persistent?: boolean, extraArgs?: string[] }} LabOptions
 */

/**
 * The LAN namespace (must not exist yet): a bridge, and the scanner's interface `eth0` as a veth whose
 * other end sits on the bridge, at SCANNER_ADDRESS, with multicast routed to it. No route leaves it.
 * @param {string} lanNs
 */
export async function createLanNamespace(lanNs) {
  await ip(['netns', 'add', lanNs]);
  const L = ['-n', lanNs];
  await ip([...L, 'link', 'set', 'lo', 'up']);
  // Snooping off: multicast (mDNS, SSDP, Aqara) floods to every port like on a dumb home switch;
  // STP off and forward delay 0: ports forward at once.
  await ip([...L, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
  await ip([...L, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'up0']);
  await ip([...L, 'link', 'set', 'up0', 'master', 'br0']);
  await ip([...L, 'addr', 'add', `${SCANNER_ADDRESS}/24`, 'brd', LAB_BROADCAST, 'dev', 'eth0']);
  await ip([...L, 'link', 'set', 'eth0', 'multicast', 'on']);
  await ip([...L, 'link', 'set', 'br0', 'up']);
  await ip([...L, 'link', 'set', 'up0', 'up']);
  await ip([...L, 'link', 'set', 'eth0', 'up']);
  await ip([...L, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
}

/**
 * A veth from the LAN bridge (`ifname` there) to `eth0` inside namespace `ns` (which must exist).
 * @param {string} lanNs @param {string} ifname @param {string} ns
 */
export async function attachToBridge(lanNs, ifname, ns) {
  const L = ['-n', lanNs];
  await ip([...L, 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await ip([...L, 'link', 'set', ifname, 'master', 'br0']);
  await ip([...L, 'link', 'set', ifname, 'up']);
}

/**
 * Build the lab and start one simulator per device.
 * @param {LabOptions} [options]
 */
export async function startLab(options = {}) {
  const why = labUnavailableReason();
  if (why) throw new LabError('LAB_ERR_UNAVAILABLE', why);
  if (!existsSync(simulatorEntry())) throw new LabError('LAB_ERR_NO_SIMULATOR', `${simulatorEntry()} not found: run \`pnpm build\` first`);
  const profilesName = options.profiles ?? 'lab';
  const all = readProfileDevices(profilesName);
  /** @type {typeof all} */
  let chosen;
  const want = options.devices ?? all.length;
  if (typeof want === 'number') {
    if (!Number.isInteger(want) || want < 1) throw new LabError('LAB_ERR_DEVICES', `devices must be a positive integer, got ${want}`);
    if (want > all.length) throw new LabError('LAB_ERR_DEVICES', `profile set ${profilesName} has ${all.length} device(s), asked for ${want}`);
    chosen = all.slice(0, want);
  } else {
    chosen = want.map((n) => {
      const d = all.find((x) => x.name === n);
      if (!d) throw new LabError('LAB_ERR_DEVICES', `profile set ${profilesName} has no device named ${n}`);
      return d;
    });
  }
  if (chosen.length > 200) throw new LabError('LAB_ERR_DEVICES', 'at most 200 devices fit the lab subnet');

  await cleanupStaleLabs();

  const id = options.id ?? newId();
  if (!/^[0-9a-z]{1,8}$/.test(id)) throw new LabError('LAB_ERR_ID', `lab id must be 1-8 [0-9a-z], got ${id}`);
  const dir = stateDir(id);
  const lanNs = `${NS_PREFIX}${id}-lan`;
  const taken = new Set([SCANNER_ADDRESS]);
  const files = new Set();
  const devices = chosen.map((p, k) => {
    const address = labAddressFor(p, k, taken);
    taken.add(address);
    // Profile names become file names: keep them inside the lab directory.
    let file = p.name.replace(/[^A-Za-z0-9_-]/g, '_') || `d${k}`;
    if (files.has(file)) file = `${file}-${k}`;
    files.add(file);
    return { name: p.name, file, ns: `${NS_PREFIX}${id}-d${k}`, ifname: `d${k}`, address, mac: p.mac && MAC_RE.test(p.mac) ? p.mac.toLowerCase() : null };
  });
  // Never adopt what is not ours: an existing state or namespace with these names stops us before anything is
  // recorded (so teardown cannot touch it).
  if (existsSync(stateFile(id))) throw new LabError('LAB_ERR_EXISTS', `lab ${id} is already recorded in ${stateFile(id)}`);
  const existing = await listNamespaces();
  for (const ns of [lanNs, ...devices.map((d) => d.ns)]) if (existing.has(ns)) throw new LabError('LAB_ERR_EXISTS', `namespace ${ns} already exists`);
  mkdirSync(dir, { recursive: true });
  const state = {
    id,
    createdAt: new Date().toISOString(),
    owner: { pid: process.pid, startTime: processStartTime(process.pid) },
    persistent: Boolean(options.persistent),
    profiles: profilesName,
    lanNs,
    scannerAddress: SCANNER_ADDRESS,
    subnet: LAB_SUBNET,
    // Recorded before creation so a crash half-way still leaves a complete list to delete.
    namespaces: [lanNs, ...devices.map((d) => d.ns)],
    devices: devices.map((d) => ({ name: d.name, ns: d.ns, address: d.address, mac: d.mac, manifest: join(dir, `${d.file}.manifest.json`), log: join(dir, `${d.file}.log.jsonl`) })),
    processes: /** @type {{ pid: number, startTime: string | null, ns: string, name: string }[]} */ ([]),
    manifest: join(dir, 'manifest.json'),
  };
  const save = () => writeJsonAtomic(stateFile(id), state);
  save();

  const t0 = Date.now();
  try {
    await createLanNamespace(lanNs);

    // Device namespaces, configured in parallel (each is independent once its veth exists).
    await Promise.all(
      devices.map(async (d) => {
        await ip(['netns', 'add', d.ns]);
        const D = ['-n', d.ns];
        await attachToBridge(lanNs, d.ifname, d.ns);
        await ip([...D, 'link', 'set', 'lo', 'up']);
        if (d.mac) await ip([...D, 'link', 'set', 'eth0', 'address', d.mac]);
        await ip([...D, 'addr', 'add', `${d.address}/24`, 'brd', LAB_BROADCAST, 'dev', 'eth0']);
        await ip([...D, 'link', 'set', 'eth0', 'multicast', 'on']);
        await ip([...D, 'link', 'set', 'eth0', 'up']);
        await ip([...D, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      }),
    );

    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    await Promise.all(
      devices.map(async (d, k) => {
        const rec = state.devices[k];
        const args = ['--profiles', resolveProfilesPath(profilesName), '--only', d.name, '--address', d.address, '--interface', 'eth0', '--manifest', rec.manifest, '--log', rec.log, ...(options.extraArgs ?? [])];
        const child = await startSimulator({
          ns: d.ns,
          args,
          logPrefix: join(dir, d.file),
          timeoutMs: readyTimeoutMs,
          onSpawn: (c) => {
            state.processes.push({ pid: /** @type {number} */ (c.pid), startTime: processStartTime(/** @type {number} */ (c.pid)), ns: d.ns, name: d.name });
            save();
          },
        });
        // The lab outlives a CLI parent; inside tests the handle must not keep vitest's worker alive.
        child.removeAllListeners('exit');
        child.unref();
      }),
    );

    const manifest = mergeManifests(state);
    writeJsonAtomic(state.manifest, manifest);
    state.readyMs = Date.now() - t0;
    save();
    return makeHandle(state, manifest);
  } catch (err) {
    try {
      await teardownState(state, { keepDir: true });
    } catch (e2) {
      /** @type {any} */ (err).teardownError = e2;
    }
    throw err;
  }
}

function mergeManifests(state) {
  const devices = [];
  for (const d of state.devices) {
    let m;
    try {
      m = JSON.parse(readFileSync(d.manifest, 'utf8'));
    } catch (e) {
      throw new LabError('LAB_ERR_MANIFEST', `xmsim for ${d.name} wrote no readable manifest at ${d.manifest}: ${/** @type {Error} */ (e).message}`);
    }
    for (const dev of m.devices ?? []) {
      // The lab owns addressing: report the address on the wire.
      devices.push({ ...dev, address: d.address });
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    lab: { id: state.id, lanNs: state.lanNs, scannerAddress: state.scannerAddress, subnet: state.subnet, broadcast: LAB_BROADCAST, interface: 'eth0' },
    devices,
  };
}

function makeHandle(state, manifest) {
  let stopped = false;
  return {
    id: state.id,
    lanNs: state.lanNs,
    scannerAddress: state.scannerAddress,
    subnet: state.subnet,
    namespaces: [...state.namespaces],
    pids: state.processes.map((p) => p.pid),
    manifest,
    manifestFile: state.manifest,
    dir: stateDir(state.id),
    readyMs: state.readyMs,
    devices: state.devices.map((d) => ({ name: d.name, ns: d.ns, address: d.address, mac: d.mac, log: d.log })),
    /**
     * Run a command inside the LAN namespace (where the scanner lives).
     * @param {string} cmd @param {string[]} [args] @param {{ timeoutMs?: number, input?: string, env?: NodeJS.ProcessEnv, cwd?: string }} [opts]
     */
    exec(cmd, args = [], opts = {}) {
      return run('ip', ['netns', 'exec', state.lanNs, cmd, ...args], { timeoutMs: 60_000, cwd: REPO_ROOT, ...opts });
    },
    /** Run a command inside one device's namespace. */
    execIn(deviceName, cmd, args = [], opts = {}) {
      const d = state.devices.find((x) => x.name === deviceName);
      if (!d) return Promise.reject(new LabError('LAB_ERR_DEVICES', `no lab device ${deviceName}`));
      return run('ip', ['netns', 'exec', d.ns, cmd, ...args], { timeoutMs: 60_000, cwd: REPO_ROOT, ...opts });
    },
    /** Requests each simulator logged so far (JSON lines), junk lines skipped. */
    requests() {
      const out = [];
      for (const d of state.devices) {
        let text = '';
        try {
          text = readFileSync(d.log, 'utf8');
        } catch {
          continue;
        }
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          try {
            out.push(JSON.parse(line));
          } catch {
            /* partial last line */
          }
        }
      }
      return out;
    },
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      await teardownState(state, opts);
    },
  };
}

/**
 * CLI `lab:down`: tear down the shell labs (`lab:up`) and any lab whose owner died. A lab owned by a live
 * process (a running test) is left to its owner unless `all`.
 */
export async function stopAllLabs({ graceMs, all = false } = {}) {
  const ids = [];
  for (const state of listLabStates()) {
    const ownerAlive = !state.persistent && state.owner && isSameProcess(state.owner);
    if (ownerAlive && !all) continue;
    await teardownState(state, { graceMs });
    ids.push(state.id);
  }
  return ids;
}
