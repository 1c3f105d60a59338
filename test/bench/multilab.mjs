// A dense LAN lab for the scale benchmark: up to 250 simulated devices, several per network namespace and per
// xmsim process (test/lab/lab.mjs gives each device its own namespace and process, ~45 MB each: 250 of them
// would take ~11 GB). Additive: lab.mjs is unchanged; this module records its namespaces and processes in the
// same state-file format under the same LAB_ROOT, so lab.mjs's teardown (`pnpm lab:down`, cleanupStaleLabs)
// removes a dense lab left behind by a crash too.
//
//   xm<id>-lan   bridge br0 + the scanner's eth0 (10.213.0.1/24), like lab.mjs
//   xm<id>-g<k>  eth0 (veth to br0, no address) + one macvlan per device (its own MAC and 10.213.0.x/24),
//                policy routing so each device answers from its own interface, arp_ignore=1 so only the owner
//                of an address answers ARP for it; one `xmsim --profiles <group file> --interface eth0`.
//
// Several devices share a namespace, so a broadcast or multicast frame reaches every device socket of the
// namespace once per macvlan (g² replies per group instead of g). The dense profiles therefore ignore the
// broadcast hello and carry no mDNS adverts: the devices are found by the unicast sweep and ARP, and every
// per-device probe (miIO, TCP ports, banners, ecosystem) is exercised as usual.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LAB_ROOT, LAB_SUBNET, LabError, NS_PREFIX, SCANNER_ADDRESS, LAB_BROADCAST, attachToBridge, cleanupStaleLabs, createLanNamespace, ip, labUnavailableReason, processStartTime, run, simulatorEntry, teardownState } from '../lab/lab.mjs';
import { makeProfileSet } from './lib.mjs';


function waitReady(child, outFile, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new LabError('LAB_ERR_READY_TIMEOUT', `xmsim not ready after ${timeoutMs} ms (${outFile})`)), timeoutMs);
    const poll = setInterval(() => {
      try {
        if (/^xmsim ready \d+ device\(s\)$/m.test(readFileSync(outFile, 'utf8'))) done(null);
      } catch {
        /* not yet */
      }
    }, 50);
    let settled = false;
    const done = (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      child.removeAllListeners('exit');
      if (e) reject(e);
      else resolve();
    };
    child.on('exit', (code) => done(new LabError('LAB_ERR_SIM_EXIT', `xmsim exited before ready (code ${code}); see ${outFile.replace(/stdout$/, 'stderr')}`)));
  });
}

/**
 * @param {{ devices: number, perNamespace?: number, readyTimeoutMs?: number }} opts
 */
export async function startDenseLab(opts) {
  const why = labUnavailableReason();
  if (why) throw new LabError('LAB_ERR_UNAVAILABLE', why);
  const n = opts.devices;
  const per = opts.perNamespace ?? 25;
  if (n < 1 || n > 250) throw new LabError('LAB_ERR_DEVICES', 'a dense lab holds 1-250 devices (10.213.0.2-251)');
  await cleanupStaleLabs();
  const id = randomBytes(3).toString('hex');
  const dir = join(LAB_ROOT, id);
  mkdirSync(dir, { recursive: true });
  const lanNs = `${NS_PREFIX}${id}-lan`;
  const addresses = Array.from({ length: n }, (_, k) => `10.213.0.${k + 2}`);
  const profileFile = makeProfileSet(n, join(dir, 'all-profiles.json'), { addresses });
  const all = JSON.parse(readFileSync(profileFile, 'utf8')).devices;
  for (const d of all) {
    if (d.miio) d.miio.ignoreBroadcast = true; // devices without miIO (host, router) stay without
    delete d.mdns;
  }
  const groups = [];
  for (let g = 0; g * per < n; g++) groups.push({ ns: `${NS_PREFIX}${id}-g${g}`, veth: `g${g}`, devices: all.slice(g * per, (g + 1) * per), file: join(dir, `group${g}.json`) });
  const state = {
    id,
    kind: 'dense',
    createdAt: new Date().toISOString(),
    owner: { pid: process.pid, startTime: processStartTime(process.pid) },
    persistent: false,
    lanNs,
    scannerAddress: SCANNER_ADDRESS,
    subnet: LAB_SUBNET,
    namespaces: [lanNs, ...groups.map((g) => g.ns)],
    devices: [],
    processes: [],
    manifest: join(dir, 'manifest.json'),
  };
  const save = () => {
    writeFileSync(join(dir, 'state.json.tmp'), JSON.stringify(state, null, 2));
    renameSync(join(dir, 'state.json.tmp'), join(dir, 'state.json'));
  };
  save();
  const t0 = Date.now();
  try {
    await createLanNamespace(lanNs);
    await Promise.all(
      groups.map(async (g) => {
        await ip(['netns', 'add', g.ns]);
        const G = ['-n', g.ns];
        await attachToBridge(lanNs, g.veth, g.ns);
        await ip([...G, 'link', 'set', 'lo', 'up']);
        await ip([...G, 'link', 'set', 'eth0', 'up']);
        // Only the interface that holds an address answers ARP for it; replies leave from the device's own
        // interface (policy routing below), not from whichever macvlan owns the first /24 route.
        const sys = await run('ip', ['netns', 'exec', g.ns, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
        if (sys.code !== 0) throw new LabError('LAB_ERR_IP', `sysctl in ${g.ns}: ${sys.stderr.trim()}`);
        for (const [k, d] of g.devices.entries()) {
          const m = `m${k}`;
          await ip([...G, 'link', 'add', m, 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge']);
          await ip([...G, 'link', 'set', m, 'address', d.mac.toLowerCase()]);
          await ip([...G, 'addr', 'add', `${d.address}/24`, 'brd', LAB_BROADCAST, 'dev', m]);
          await ip([...G, 'link', 'set', m, 'multicast', 'on']);
          await ip([...G, 'link', 'set', m, 'up']);
          await ip([...G, 'rule', 'add', 'from', d.address, 'table', String(100 + k)]);
          await ip([...G, 'route', 'add', LAB_SUBNET, 'dev', m, 'src', d.address, 'table', String(100 + k)]);
          await ip([...G, 'route', 'add', '224.0.0.0/4', 'dev', m, 'table', String(100 + k)]);
        }
        writeFileSync(g.file, JSON.stringify({ devices: g.devices }, null, 1));
      }),
    );
    await Promise.all(
      groups.map(async (g, k) => {
        const prefix = join(dir, `group${k}`);
        writeFileSync(`${prefix}.stdout`, '');
        const out = openSync(`${prefix}.stdout`, 'a');
        const err = openSync(`${prefix}.stderr`, 'a');
        const child = spawn(
          'ip',
          ['netns', 'exec', g.ns, process.execPath, simulatorEntry(), '--profiles', g.file, '--interface', 'eth0', '--manifest', `${prefix}.manifest.json`, '--quiet'],
          { stdio: ['ignore', out, err], detached: true },
        );
        closeSync(out);
        closeSync(err);
        await new Promise((r) => child.once('spawn', r));
        state.processes.push({ pid: child.pid, startTime: processStartTime(child.pid), ns: g.ns, name: `group${k}` });
        save();
        await waitReady(child, `${prefix}.stdout`, opts.readyTimeoutMs ?? 120_000);
        child.unref();
      }),
    );
    const devices = [];
    for (const [k] of groups.entries()) {
      const m = JSON.parse(readFileSync(join(dir, `group${k}.manifest.json`), 'utf8'));
      devices.push(...m.devices);
    }
    const manifest = { generatedAt: new Date().toISOString(), lab: { id, lanNs, scannerAddress: SCANNER_ADDRESS, subnet: LAB_SUBNET, broadcast: LAB_BROADCAST, interface: 'eth0' }, devices };
    writeFileSync(state.manifest, JSON.stringify(manifest, null, 1));
    state.readyMs = Date.now() - t0;
    save();
    return {
      id,
      lanNs,
      subnet: LAB_SUBNET,
      manifest,
      readyMs: state.readyMs,
      pids: state.processes.map((p) => p.pid),
      namespaces: state.namespaces.length,
      exec: (cmd, args = [], o = {}) => run('ip', ['netns', 'exec', lanNs, cmd, ...args], { timeoutMs: 180_000, ...o }),
      stop: () => teardownState(state),
    };
  } catch (e) {
    await teardownState(state, { keepDir: true }).catch(() => undefined);
    throw e;
  }
}

export const denseLabExists = (id) => existsSync(join(LAB_ROOT, id, 'state.json'));
