#!/usr/bin/env node
// `pnpm bench`: every benchmark, in this order (a benchmark, not a timed test: it fails only when it cannot run):
//   codec    vitest bench test/bench/*.bench.ts: codec micro-benchmarks against node-miio's Packet (CPU only)
//   lab      xmscan scan vs nmap / python-miio / avahi on LAN labs of N simulated devices (root; test/lab)
//   failure  what a silent device or a wrong token costs (root; lab)
//   sweep    unicast sweep of a /16 on loopback inside `unshare -n` (root)
//   dense    a 250-device lab, several devices per namespace (root; test/bench/multilab.mjs)
// Results: printed, and written as JSON to test/bench/results/latest.json (docs/benchmarks.md quotes them).
//
// Options (flags win over environment):
//   --only codec,lab,...      XMSCAN_BENCH_ONLY      which benchmarks (default: all)
//   --sizes 8,64              XMSCAN_BENCH_SIZES     lab sizes N
//   --runs 5                  XMSCAN_BENCH_RUNS      repetitions per tool (alternating)
//   --dense 250               XMSCAN_BENCH_DENSE     devices in the dense lab
//   --sweep-target CIDR       XMSCAN_BENCH_SWEEP     default 127.1.0.0/16
//   --sweep-runs 3            XMSCAN_BENCH_SWEEP_RUNS
//   --rate PPS                                       --rate for the sweep (default: xmscan's default)
//   --no-install              XMSCAN_BENCH_NO_INSTALL=1  do not apt-get install missing peers
//   -- <vitest args>          passed to `vitest bench` (codec)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { labUnavailableReason } from '../lab/lab.mjs';
import { REPO_ROOT, ensurePeers, fmtMs, fmtRatio, loadNow, log, machineDescription } from './lib.mjs';

const dash = process.argv.indexOf('--');
const own = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
const vitestArgs = dash === -1 ? [] : process.argv.slice(dash + 1);
const { values } = parseArgs({
  args: own,
  options: {
    only: { type: 'string' },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    dense: { type: 'string' },
    'sweep-target': { type: 'string' },
    'sweep-runs': { type: 'string' },
    rate: { type: 'string' },
    'no-install': { type: 'boolean' },
  },
  strict: true,
});
const env = process.env;
const ALL = ['codec', 'lab', 'failure', 'sweep', 'dense'];
const only = (values.only ?? env.XMSCAN_BENCH_ONLY ?? ALL.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const o of only) if (!ALL.includes(o)) throw new Error(`unknown benchmark ${o} (have ${ALL.join(', ')})`);
const num = (v, d) => {
  const n = Number(v ?? d);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${v}`);
  return n;
};
const sizes = (values.sizes ?? env.XMSCAN_BENCH_SIZES ?? '8,64').split(',').map((s) => num(s.trim()));
const runs = num(values.runs ?? env.XMSCAN_BENCH_RUNS, 5);
const denseN = num(values.dense ?? env.XMSCAN_BENCH_DENSE, 250);
const sweepTarget = values['sweep-target'] ?? env.XMSCAN_BENCH_SWEEP ?? '127.1.0.0/16';
const sweepRuns = num(values['sweep-runs'] ?? env.XMSCAN_BENCH_SWEEP_RUNS, 3);
const rate = values.rate ? num(values.rate) : undefined;
const install = !(values['no-install'] || env.XMSCAN_BENCH_NO_INSTALL === '1');

/** Per vitest bench group: each benchmark's ops/s from its median time (less load-sensitive than the mean). */
function codecGroups(file) {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    return j.files.flatMap((f) =>
      f.groups.map((g) => ({
        group: g.fullName.replace(/^.*? > /, ''),
        benchmarks: g.benchmarks.map((b) => ({ name: b.name, hz: b.hz, medianMs: b.median, opsPerSecFromMedian: b.median > 0 ? 1000 / b.median : null, rme: b.rme, samples: b.sampleCount })),
      })),
    );
  } catch {
    return null;
  }
}

const results = { date: new Date().toISOString(), machine: machineDescription(), loadAtStart: loadNow(), options: { only, sizes, runs, denseN, sweepTarget, sweepRuns, rate } };
let failed = false;

if (only.includes('codec')) {
  log('codec: vitest bench --run test/bench');
  const json = join(REPO_ROOT, 'test/bench/results/codec-vitest.json');
  mkdirSync(join(REPO_ROOT, 'test/bench/results'), { recursive: true });
  const r = spawnSync('pnpm', ['exec', 'vitest', 'bench', '--run', '--outputJson', json, ...(vitestArgs.length ? vitestArgs : ['test/bench'])], { cwd: REPO_ROOT, stdio: 'inherit' });
  results.codec = { exitCode: r.status, groups: codecGroups(json) };
  if (r.status !== 0) failed = true;
  // The same operations timed as the minimum over many rounds (robust on a busy machine: the mean of a
  // vitest bench moves ±30 % when other processes share the CPU).
  const ab = spawnSync(process.execPath, [join(REPO_ROOT, 'test/bench/codec-minrounds.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  process.stdout.write(ab.stdout);
  try {
    results.codec.minRounds = JSON.parse(ab.stdout.split('\n').find((l) => l.startsWith('{')) ?? 'null');
  } catch {
    results.codec.minRounds = null;
  }
}

const network = only.filter((o) => o !== 'codec');
if (network.length > 0) {
  const why = labUnavailableReason();
  if (why) {
    log(`skipping ${network.join(', ')}: ${why}`);
  } else {
    const build = spawnSync('pnpm', ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    // A broken build of a work in progress must not cost the measurement: measure the last good build, say so.
    if (build.status !== 0) {
      log('pnpm build failed: measuring the existing build (packages/*/dist)');
      results.buildFailed = true;
    }
    const peers = network.includes('lab') ? await ensurePeers({ install }) : {};
    results.peers = peers;
    const { labBench, failureBench } = await import('./lab-bench.mjs');
    const { sweepBench, denseBench } = await import('./scale-bench.mjs');
    const step = async (name, fn) => {
      if (!network.includes(name)) return;
      try {
        results[name] = await fn();
      } catch (e) {
        failed = true;
        results[name] = { error: String(e?.stack ?? e) };
        log(`${name} failed: ${e?.stack ?? e}`);
      }
    };
    await step('lab', () => labBench({ sizes, runs, peers }));
    await step('failure', () => failureBench({ runs }));
    await step('sweep', () => sweepBench({ runs: sweepRuns, target: sweepTarget, rate }));
    await step('dense', () => denseBench({ devices: denseN, runs: Math.min(runs, 3) }));
  }
}

results.loadAtEnd = loadNow();
const outDir = join(REPO_ROOT, 'test/bench/results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'latest.json');
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');

// Short summary.
for (const l of results.lab ?? []) {
  if (!l.tools) continue;
  console.log(`\nlab N=${l.n} (${l.ports.length} TCP ports; load ${l.load.join(' ')})`);
  for (const [k, t] of Object.entries(l.tools)) {
    if (k === 'xmscan-t1000') {
      console.log(`  ${k.padEnd(9)} median ${fmtMs(t.wall.median)} [${fmtMs(t.wall.min)} .. ${fmtMs(t.wall.max)}]  found ${t.found.median}/${l.n}  (not a default) /nmap-tcp ${fmtRatio(l.ratios['xmscan-t1000/nmap-tcp'])}`);
      continue;
    }
    console.log(`  ${k.padEnd(9)} median ${fmtMs(t.wall.median)} [${fmtMs(t.wall.min)} .. ${fmtMs(t.wall.max)}]  found ${t.found.median}/${l.n}${k === 'xmscan' ? '' : `  xmscan/${k} ${fmtRatio(l.ratios[k])}`}`);
  }
}
for (const f of Array.isArray(results.failure) ? results.failure : []) console.log(`failure: ${f.case}: probe ${fmtMs(f.probe.median)}, whole scan ${fmtMs(f.wholeScan.median)}`);
for (const s of Array.isArray(results.sweep) ? results.sweep : []) {
  console.log(`sweep ${s.target}: ${fmtMs(s.toolWallMs)}, ${Math.round(s.achievedPps ?? 0)} pps of ${s.rateCap}, RSS ${s.maxRssMiB.toFixed(0)} MiB, CPU ${fmtMs(s.cpuMs)}`);
}
if (results.dense?.scan) {
  const d = results.dense;
  console.log(`dense ${d.devices}: scan median ${fmtMs(d.scan.wall.median)}, found ${d.scan.found.median}, RSS ${d.scan.maxRssMiB.median.toFixed(0)} MiB, simulators ${d.simulatorRssMiB.toFixed(0)} MiB in ${d.processes} processes`);
}
console.log(`\nresults: ${file}`);
process.exit(failed ? 1 : 0);
