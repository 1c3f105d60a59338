// Lab benchmark: `xmscan scan` (defaults: full audit) against the peers doing the same job, on a LAN lab of N
// simulated devices (test/lab/lab.mjs). Every command runs inside the lab's LAN namespace: nothing leaves it.
//
// Per run, in an order that rotates each repetition (so no tool always runs first on a warm ARP cache):
//   xmscan     ip netns exec <lan> node packages/scanner/bin/xmscan.mjs scan --tokens <lab tokens> --json
//   nmap-tcp   nmap -n -sT -p <xmscan's audit TCP ports> <lab /24>
//   nmap-udp   nmap -n -sU -p 54321 --data <miIO hello hex> <lab /24>
//   miplug     python-miio (Debian python3-miio) `miplug discover`: one broadcast hello, fixed 5 s wait
//   avahi      avahi-browse -rpt _miio._udp against a private dbus + avahi-daemon started in the namespace
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startLab } from '../lab/lab.mjs';
import { HELLO_HEX, REPO_ROOT, XMSCAN, xmscanEnv, auditTcpPorts, fmtMs, fmtRatio, loadNow, log, makeProfileSet, rssKiB, run, summarise, timedRun, writeTokensFile } from './lib.mjs';

const MIPLUG = ['/usr/bin/python3', '-c', 'import sys; from miio.plug_cli import cli; sys.argv[0] = "miplug"; cli()', 'discover'];

/** Lab addresses found in a list of addresses. */
const foundOf = (manifest, addresses) => {
  const want = new Set(manifest.devices.map((d) => d.address));
  return new Set([...addresses].filter((a) => want.has(a))).size;
};

/** Parse nmap's grepable output: hosts up, and hosts with an open port. */
function parseNmapGrepable(text) {
  const up = new Set();
  const open = new Set();
  for (const line of text.split('\n')) {
    const m = /^Host: (\d+\.\d+\.\d+\.\d+)\s/.exec(line);
    if (!m) continue;
    if (/Status: Up/.test(line)) up.add(m[1]);
    if (/Ports: .*\/open\//.test(line)) {
      up.add(m[1]);
      open.add(m[1]);
    }
  }
  return { up, open };
}

/**
 * avahi in the LAN namespace: a private mount namespace with tmpfs on /run (so neither dbus nor avahi touch
 * the host's), a system dbus there, avahi-daemon started per measurement (no cache carried between runs).
 */
async function startAvahiHost(lanNs, dir) {
  const script = [
    'set -e',
    'mount -t tmpfs xmbench-run /run',
    'mkdir -p /run/dbus /run/avahi-daemon',
    'exec dbus-daemon --system --nofork --nopidfile',
  ].join('; ');
  const child = spawn('ip', ['netns', 'exec', lanNs, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  // `unshare` execs sh which execs dbus-daemon: the PID is the daemon's, and its mount namespace is ours to enter.
  const deadline = Date.now() + 10_000;
  const ns = () => ['nsenter', '-t', String(child.pid), '-m', '-n'];
  while (Date.now() < deadline) {
    const r = await run(ns()[0], [...ns().slice(1), 'test', '-S', '/run/dbus/system_bus_socket']);
    if (r.code === 0) break;
    if (child.exitCode !== null) throw new Error(`dbus-daemon exited: ${err.trim()}`);
    await new Promise((r2) => setTimeout(r2, 100));
  }
  return {
    pid: child.pid,
    enter: ns,
    async startDaemon() {
      const r = await run(ns()[0], [...ns().slice(1), 'avahi-daemon', '--daemonize', '--no-chroot', '--no-rlimits']);
      if (r.code !== 0) throw new Error(`avahi-daemon: ${r.stderr.trim()}`);
      // Ready once it answers on the bus.
      for (let i = 0; i < 100; i++) {
        const v = await run(ns()[0], [...ns().slice(1), 'avahi-browse', '-at', '-k', '-p'], { timeoutMs: 5000 });
        if (v.code === 0) return;
        await new Promise((r2) => setTimeout(r2, 100));
      }
      throw new Error('avahi-daemon not ready');
    },
    async stopDaemon() {
      await run(ns()[0], [...ns().slice(1), 'avahi-daemon', '--kill']);
      for (let i = 0; i < 50; i++) {
        const c = await run(ns()[0], [...ns().slice(1), 'avahi-daemon', '--check']);
        if (c.code !== 0) return;
        await new Promise((r2) => setTimeout(r2, 100));
      }
    },
    stop() {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

/**
 * @param {{ sizes: number[], runs: number, peers: Record<string, boolean>, failurePaths?: boolean }} opts
 */
export async function labBench(opts) {
  const ports = await auditTcpPorts();
  const results = [];
  for (const n of opts.sizes) {
    const dir = mkdtempSync(join(tmpdir(), `xmbench-lab${n}-`));
    const profiles = makeProfileSet(n, join(dir, 'profiles.json'));
    log(`lab N=${n}: starting`);
    const lab = await startLab({ profiles, devices: n, readyTimeoutMs: 120_000 });
    let avahi = null;
    try {
      const tokens = writeTokensFile(lab.manifest, join(dir, 'tokens.json'));
      const inLan = ['ip', 'netns', 'exec', lab.lanNs];
      // A home LAN has a default route, so the limited broadcast 255.255.255.255 leaves through eth0; the lab
      // has none. This host route (inside the lab only) gives python-miio's broadcast a way out, and xmscan's
      // 255.255.255.255 hello too: the same conditions for every tool.
      await lab.exec('ip', ['route', 'add', '255.255.255.255/32', 'dev', 'eth0']);
      const simRssKiB = lab.pids.reduce((s, p) => s + rssKiB(p), 0);
      const tools = {
        xmscan: async () => {
          const r = await timedRun(inLan, process.execPath, [XMSCAN, 'scan', '--tokens', tokens, '--json'], { env: xmscanEnv() });
          let ips = [];
          try {
            ips = JSON.parse(r.stdout).devices.map((d) => d.ip);
          } catch {
            log(`xmscan output not JSON (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
          }
          return { ...r, found: foundOf(lab.manifest, ips) };
        },
        // Not a default: what a 1000 ms discovery window (`--timeout 1000`) would give (see docs/benchmarks.md).
        'xmscan-t1000': async () => {
          const r = await timedRun(inLan, process.execPath, [XMSCAN, 'scan', '--timeout', '1000', '--tokens', tokens, '--json'], { env: xmscanEnv() });
          let ips = [];
          try {
            ips = JSON.parse(r.stdout).devices.map((d) => d.ip);
          } catch {
            log(`xmscan --timeout 1000 output not JSON (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
          }
          return { ...r, found: foundOf(lab.manifest, ips) };
        },
        'nmap-tcp': opts.peers.nmap
          ? async () => {
              const r = await timedRun(inLan, 'nmap', ['-n', '-sT', '-p', ports.join(','), '-oG', '-', lab.subnet]);
              return { ...r, found: foundOf(lab.manifest, parseNmapGrepable(r.stdout).up) };
            }
          : null,
        'nmap-udp': opts.peers.nmap
          ? async () => {
              const r = await timedRun(inLan, 'nmap', ['-n', '-sU', '-p', '54321', '--data', HELLO_HEX, '-oG', '-', lab.subnet]);
              return { ...r, found: foundOf(lab.manifest, parseNmapGrepable(r.stdout).open) };
            }
          : null,
        miplug: opts.peers.pythonMiio
          ? async () => {
              const r = await timedRun(inLan, MIPLUG[0], MIPLUG.slice(1));
              const ips = [...(r.stdout + r.stderr).matchAll(/IP (\d+\.\d+\.\d+\.\d+) \(ID/g)].map((m) => m[1]);
              return { ...r, found: foundOf(lab.manifest, ips) };
            }
          : null,
        avahi: null,
      };
      if (opts.peers.avahi) {
        try {
          avahi = await startAvahiHost(lab.lanNs, dir);
          tools.avahi = async () => {
            await avahi.startDaemon();
            try {
              const r = await timedRun(avahi.enter(), 'avahi-browse', ['-rpt', '_miio._udp']);
              const ips = r.stdout
                .split('\n')
                .filter((l) => l.startsWith('='))
                .map((l) => l.split(';')[7]);
              return { ...r, found: foundOf(lab.manifest, ips) };
            } finally {
              await avahi.stopDaemon();
            }
          };
        } catch (e) {
          log(`avahi unavailable in the lab: ${e.message}`);
        }
      }
      const names = Object.keys(tools).filter((k) => tools[k] !== null);
      const samples = Object.fromEntries(names.map((k) => [k, []]));
      for (let i = 0; i < opts.runs; i++) {
        // Rotate the order each repetition.
        const order = names.map((_, j) => names[(i + j) % names.length]);
        for (const name of order) {
          const r = await tools[name]();
          samples[name].push({ wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssKiB: r.maxRssKiB, found: r.found, code: r.code, load1: loadNow()[0] });
          log(`N=${n} run ${i + 1}/${opts.runs} ${name}: ${fmtMs(r.wallMs)}, found ${r.found}/${n}${r.code ? ` (exit ${r.code})` : ''}`);
        }
      }
      const tools2 = {};
      for (const name of names) {
        const s = samples[name];
        tools2[name] = {
          wall: summarise(s.map((x) => x.wallMs)),
          cpuMs: summarise(s.map((x) => x.cpuMs ?? NaN)),
          maxRssKiB: summarise(s.map((x) => x.maxRssKiB ?? NaN)),
          found: summarise(s.map((x) => x.found)),
          samples: s,
        };
      }
      const xm = tools2.xmscan.wall.median;
      const ratios = Object.fromEntries(names.filter((k) => k !== 'xmscan').map((k) => [k, xm / tools2[k].wall.median]));
      if (tools2['xmscan-t1000'] && tools2['nmap-tcp']) ratios['xmscan-t1000/nmap-tcp'] = tools2['xmscan-t1000'].wall.median / tools2['nmap-tcp'].wall.median;
      results.push({ n, subnet: lab.subnet, ports, labReadyMs: lab.readyMs, simulatorRssMiB: +(simRssKiB / 1024).toFixed(1), simulatorProcesses: lab.pids.length, tools: tools2, ratios, load: loadNow() });
      log(`N=${n}: xmscan median ${fmtMs(xm)}; ratios ${Object.entries(ratios).map(([k, v]) => `${k} ${fmtRatio(v)}`).join(', ')}`);
    } finally {
      avahi?.stop();
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * Failure paths: what one bad device costs. The miIO session of the scan (handshake + miIO.info with the
 * scan's own defaults: 300 ms per try, one retry) is timed directly against each case, inside the LAN
 * namespace; then the whole `xmscan scan <ip>` for context.
 */
export async function failureBench({ runs }) {
  const dir = mkdtempSync(join(tmpdir(), 'xmbench-fail-'));
  const lab = await startLab({ devices: ['purifier', 'host', 'leaky', 'slow'], readyTimeoutMs: 60_000 });
  try {
    const by = Object.fromEntries(lab.manifest.devices.map((d) => [d.name, d]));
    const wrong = '0123456789abcdef0123456789abcdef';
    const cases = [
      { name: 'no device at the address (ARP unanswered)', ip: '10.213.0.250', token: wrong },
      { name: 'silent device (no miIO on 54321: ICMP unreachable)', ip: by.host.address, token: by.host.token },
      { name: 'wrong token, device stays silent', ip: by.purifier.address, token: wrong },
      { name: 'wrong token, device answers a bare header', ip: by.leaky.address, token: wrong },
      { name: 'reference: right token, 250 ms slow device', ip: by.slow.address, token: by.slow.token },
      { name: 'reference: right token', ip: by.purifier.address, token: by.purifier.token },
    ];
    const script = join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `import { realProbes } from ${JSON.stringify(join(REPO_ROOT, 'packages/scanner/dist/scan/probes.js'))};\n` +
        `import { SCAN_DEFAULTS } from ${JSON.stringify(join(REPO_ROOT, 'packages/scanner/dist/scan/scan.js'))};\n` +
        `import { Token } from ${JSON.stringify(join(REPO_ROOT, 'packages/miio-probe/dist/codec/index.js'))};\n` +
        `const [ip, tok, n] = process.argv.slice(2); const out = [];\n` +
        `for (let i = 0; i < Number(n); i++) { const t0 = performance.now();\n` +
        `  const r = await realProbes.miio({ address: ip, token: Token.fromHex(tok), timeoutMs: SCAN_DEFAULTS.miioTimeoutMs, retries: SCAN_DEFAULTS.miioRetries, signal: new AbortController().signal });\n` +
        `  out.push({ ms: performance.now() - t0, hello: r.handshake.ok, info: r.info ? (r.info.ok ? 'ok' : r.info.error.code) : (r.handshake.ok ? null : r.handshake.error.code) }); }\n` +
        `process.stdout.write(JSON.stringify(out));\n`,
    );
    const out = [];
    for (const c of cases) {
      const r = await lab.exec(process.execPath, [script, c.ip, c.token, String(runs)]);
      let samples = [];
      try {
        samples = JSON.parse(r.stdout);
      } catch {
        log(`failure probe ${c.name}: ${r.stderr.slice(0, 300)}`);
      }
      const tokFile = join(dir, 'tok.json');
      writeFileSync(tokFile, JSON.stringify([{ token: c.token, ip: c.ip }]));
      const whole = [];
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const w = await timedRun(['ip', 'netns', 'exec', lab.lanNs], process.execPath, [XMSCAN, 'scan', c.ip, '--tokens', tokFile, '--json'], { env: xmscanEnv() });
        whole.push(w.wallMs);
      }
      const res = { case: c.name, probe: summarise(samples.map((s) => s.ms)), outcome: samples[0] ?? null, wholeScan: summarise(whole), load: loadNow() };
      log(`failure path ${c.name}: probe median ${fmtMs(res.probe.median)} (${JSON.stringify(res.outcome)}), whole scan ${fmtMs(res.wholeScan.median)}`);
      out.push(res);
    }
    return out;
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
