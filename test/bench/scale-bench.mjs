// Scale benchmarks.
//  1. Unicast sweep of a /16 on loopback: `xmscan discover --target 127.1.0.0/16` inside `unshare -n` (a fresh
//     namespace with only lo, where every 127.x address answers at once with ICMP port unreachable). Wall time,
//     datagrams sent (the namespace's own /proc/net/snmp Udp OutDatagrams), achieved packets per second over
//     the first sweep pass vs the --rate cap, peak RSS and CPU time (GNU time).
//  2. A dense lab of 250 devices (multilab.mjs): `xmscan scan` with defaults, wall, CPU, peak RSS, found.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from '../lab/lab.mjs';
import { XMSCAN, xmscanEnv, fmtMs, loadNow, log, makeProfileSet, rssKiB, run, summarise, timedRun, writeTokensFile } from './lib.mjs';
import { startDenseLab } from './multilab.mjs';

function udpCounters(snmp) {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return null;
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/**
 * @param {{ runs: number, target?: string, rate?: number }} opts
 */
export async function sweepBench(opts) {
  const target = opts.target ?? '127.1.0.0/16';
  const dir = mkdtempSync(join(tmpdir(), 'xmbench-sweep-'));
  const out = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const rateArgs = opts.rate ? ['--rate', String(opts.rate)] : [];
      const cmd = [
        'ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo',
        `cat /proc/net/snmp > ${dir}/snmp0`,
        `/usr/bin/time -o ${dir}/time -f '%e %U %S %M' ${JSON.stringify(process.execPath)} ${XMSCAN} discover --target ${target} ${rateArgs.join(' ')} --json --log-level debug > ${dir}/out.json 2> ${dir}/err`,
        `cat /proc/net/snmp > ${dir}/snmp1`,
      ].join('; ');
      const load = loadNow();
      const t0 = performance.now();
      const r = await run('unshare', ['-n', 'sh', '-c', cmd], { timeoutMs: 600_000 });
      const wallMs = performance.now() - t0;
      if (r.code !== 0) log(`sweep run failed: ${r.stderr.slice(0, 300)}`);
      const [elapsed, user, sys, rss] = readFileSync(join(dir, 'time'), 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
      const a = udpCounters(readFileSync(join(dir, 'snmp0'), 'utf8'));
      const b = udpCounters(readFileSync(join(dir, 'snmp1'), 'utf8'));
      let firstPass = null;
      let retry = null;
      for (const line of readFileSync(join(dir, 'err'), 'utf8').split('\n')) {
        try {
          const j = JSON.parse(line);
          if (j.msg === 'first pass sent') firstPass = j;
          if (j.msg === 'retry pass sent') retry = j;
        } catch {
          /* not a log line */
        }
      }
      const sent = b && a ? b.OutDatagrams - a.OutDatagrams : null;
      const cap = opts.rate ?? 2000;
      const res = {
        target,
        rateCap: cap,
        wallMs,
        toolWallMs: elapsed * 1000,
        cpuMs: (user + sys) * 1000,
        maxRssMiB: rss / 1024,
        hosts: firstPass?.hosts ?? null,
        firstPassMs: firstPass?.ms ?? null,
        achievedPps: firstPass ? firstPass.hosts / (firstPass.ms / 1000) : null,
        retryPass: retry !== null,
        datagramsSent: sent,
        load,
      };
      res.achievedVsCap = res.achievedPps === null ? null : res.achievedPps / cap;
      log(`sweep ${target} run ${i + 1}: ${fmtMs(res.toolWallMs)}, ${res.datagramsSent} datagrams, ${Math.round(res.achievedPps ?? 0)} pps (${((res.achievedVsCap ?? 0) * 100).toFixed(1)} % of ${cap}), RSS ${res.maxRssMiB.toFixed(0)} MiB, CPU ${fmtMs(res.cpuMs)}`);
      out.push(res);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * 250 devices: the dense lab (several devices per namespace and process). Also the per-process memory of the
 * one-device-per-namespace lab (lab.mjs) on a few devices, to show why the dense lab exists.
 * @param {{ devices: number, runs: number, perNamespace?: number }} opts
 */
export async function denseBench(opts) {
  const dir = mkdtempSync(join(tmpdir(), 'xmbench-dense-'));
  const result = { devices: opts.devices };
  try {
    // Memory of lab.mjs's layout: one xmsim per device.
    const few = await startLab({ profiles: makeProfileSet(8, join(dir, 'p8.json')), devices: 8, readyTimeoutMs: 120_000 });
    try {
      const kib = few.pids.map(rssKiB);
      result.singleDeviceProcessRssMiB = summarise(kib.map((k) => k / 1024));
    } finally {
      await few.stop();
    }
    log(`dense lab: starting ${opts.devices} devices`);
    const lab = await startDenseLab({ devices: opts.devices, perNamespace: opts.perNamespace ?? 25, readyTimeoutMs: 180_000 });
    try {
      result.readyMs = lab.readyMs;
      result.processes = lab.pids.length;
      result.namespaces = lab.namespaces;
      result.simulatorRssMiB = lab.pids.reduce((s, p) => s + rssKiB(p), 0) / 1024;
      const tokens = writeTokensFile(lab.manifest, join(dir, 'tokens.json'));
      const samples = [];
      for (let i = 0; i < opts.runs; i++) {
        const r = await timedRun(['ip', 'netns', 'exec', lab.lanNs], process.execPath, [XMSCAN, 'scan', '--tokens', tokens, '--json'], { timeoutMs: 300_000, env: xmscanEnv() });
        let found = 0;
        let incomplete = null;
        try {
          const rep = JSON.parse(r.stdout);
          const want = new Set(lab.manifest.devices.map((d) => d.address));
          found = new Set(rep.devices.map((d) => d.ip).filter((a) => want.has(a))).size;
          incomplete = rep.summary?.incomplete ?? rep.incomplete ?? null;
        } catch {
          log(`dense scan output not JSON (exit ${r.code}): ${r.stderr.slice(0, 300)}`);
        }
        samples.push({ wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssKiB: r.maxRssKiB, found, incomplete, load1: loadNow()[0] });
        log(`dense ${opts.devices} run ${i + 1}: ${fmtMs(r.wallMs)}, found ${found}/${opts.devices}, CPU ${fmtMs(r.cpuMs)}, RSS ${((r.maxRssKiB ?? 0) / 1024).toFixed(0)} MiB`);
      }
      result.scan = {
        wall: summarise(samples.map((s) => s.wallMs)),
        cpuMs: summarise(samples.map((s) => s.cpuMs ?? NaN)),
        maxRssMiB: summarise(samples.map((s) => (s.maxRssKiB ?? NaN) / 1024)),
        found: summarise(samples.map((s) => s.found)),
        samples,
      };
      result.load = loadNow();
    } finally {
      await lab.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
