#!/usr/bin/env node
// Render benchmark results (test/bench/results/latest.json, or the file given) as the Markdown tables of
// docs/benchmarks.md, with each target of issue 7 judged met / not met. Usage:
//   node test/bench/report.mjs [results.json]                 print the Markdown
//   node test/bench/report.mjs [results.json] --write-docs    replace the results block of docs/benchmarks.md
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lab/lab.mjs';

const args = process.argv.slice(2);
const writeDocs = args.includes('--write-docs');
const file = args.find((a) => !a.startsWith('--')) ?? join(REPO_ROOT, 'test/bench/results/latest.json');
const r = JSON.parse(readFileSync(file, 'utf8'));
const s = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
const verdict = (ok) => (ok ? '**met**' : '**not met**');
const out = [];
const p = (line = '') => out.push(line);

p(`Run ${r.date} on ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, ${r.machine.os}, Node ${r.machine.node}.`);
p(`Load average (1/5/15 min) at start ${r.loadAtStart.join(' / ')}, at end ${r.loadAtEnd.join(' / ')} (a shared machine: see each table).`);
p();
const targets = [];

for (const l of Array.isArray(r.lab) ? r.lab : []) {
  p(`### Lab of ${l.n} devices (${l.subnet}, ${l.tools.xmscan.wall.n} runs per tool, alternating; load at end ${l.load.join(' / ')})`);
  p();
  p(`Simulators: ${l.simulatorProcesses} processes, ${l.simulatorRssMiB} MiB RSS in total. TCP ports (nmap and xmscan's audit): ${l.ports.join(',')}.`);
  p();
  p('| tool | median s | min s | max s | devices found (median, min-max) | CPU s (median) | peak RSS MiB (median) | xmscan / tool |');
  p('|---|---:|---:|---:|---|---:|---:|---:|');
  for (const [k, t] of Object.entries(l.tools)) {
    const label = k === 'xmscan-t1000' ? 'xmscan --timeout 1000 (not a default)' : k;
    const ratio = k === 'xmscan' ? '' : k === 'xmscan-t1000' ? `${x(l.ratios[k])} (this / nmap-tcp ${x(l.ratios['xmscan-t1000/nmap-tcp'])})` : x(l.ratios[k]);
    p(`| ${label} | ${s(t.wall.median)} | ${s(t.wall.min)} | ${s(t.wall.max)} | ${t.found.median}/${l.n} (${t.found.min}-${t.found.max}) | ${s(t.cpuMs.median)} | ${Number.isFinite(t.maxRssKiB.median) ? (t.maxRssKiB.median / 1024).toFixed(0) : 'n/a'} | ${ratio} |`);
  }
  p();
  if (l.n === 8) {
    const xm = l.tools.xmscan;
    targets.push([`full audit of the 8-device lab, median ≤ 2.5 s`, `${s(xm.wall.median)} s`, xm.wall.median <= 2500]);
    if (l.tools['nmap-tcp']) targets.push([`≤ 1.0× nmap -sT of the same /24 and ports`, `${x(l.ratios['nmap-tcp'])} (nmap ${s(l.tools['nmap-tcp'].wall.median)} s)`, l.ratios['nmap-tcp'] <= 1.0]);
    targets.push([`finds 100 % of the devices`, `${xm.found.min}-${xm.found.max} of ${l.n} in every run`, xm.found.min === l.n]);
  }
}

if (Array.isArray(r.failure)) {
  p(`### Failure paths (the scan's miIO session: hello + miIO.info, 300 ms per try, one retry)`);
  p();
  p('| case | session median s | min s | max s | outcome | whole `xmscan scan <ip>` median s |');
  p('|---|---:|---:|---:|---|---:|');
  for (const f of r.failure) p(`| ${f.case} | ${s(f.probe.median)} | ${s(f.probe.min)} | ${s(f.probe.max)} | ${f.outcome ? `hello ${f.outcome.hello ? 'answered' : 'silent'}, ${f.outcome.info ?? '-'}` : 'n/a'} | ${s(f.wholeScan.median)} |`);
  p();
  for (const f of r.failure.filter((f) => !f.case.startsWith('reference'))) targets.push([`failure path: ${f.case} ≤ 1 s`, `${s(f.probe.max)} s worst`, f.probe.max <= 1000]);
}

if (Array.isArray(r.sweep) && r.sweep.length) {
  p(`### Unicast sweep on loopback (\`unshare -n\`, only lo)`);
  p();
  p('| target | hosts | wall s | datagrams sent | first pass pps | of cap | retry pass | peak RSS MiB | CPU s | load (1 min) |');
  p('|---|---:|---:|---:|---:|---:|---|---:|---:|---:|');
  for (const w of r.sweep) p(`| ${w.target} | ${w.hosts} | ${s(w.toolWallMs)} | ${w.datagramsSent} | ${Math.round(w.achievedPps)} | ${(w.achievedVsCap * 100).toFixed(1)} % of ${w.rateCap} | ${w.retryPass ? 'yes' : 'no (first pass outlasted the window)'} | ${w.maxRssMiB.toFixed(0)} | ${s(w.cpuMs)} | ${w.load[0]} |`);
  p();
  const walls = r.sweep.map((w) => w.toolWallMs);
  const med = walls.sort((a, b) => a - b)[walls.length >> 1];
  const rss = Math.max(...r.sweep.map((w) => w.maxRssMiB));
  const worstRate = Math.min(...r.sweep.map((w) => w.achievedVsCap));
  if (r.sweep[0].hosts >= 65534) {
    targets.push([`/16 loopback sweep ≤ 40 s at the default rate`, `${s(med)} s (median of ${walls.length})`, med <= 40_000]);
    targets.push([`peak RSS ≤ 150 MB`, `${rss.toFixed(0)} MiB worst (${(rss * 1.048576).toFixed(0)} MB)`, rss * 1.048576 <= 150]);
    targets.push([`achieved rate within 10 % of the cap`, `${(worstRate * 100).toFixed(1)} % worst`, worstRate >= 0.9 && worstRate <= 1.1]);
  }
}

if (r.dense?.scan) {
  const d = r.dense;
  p(`### Dense lab: ${d.devices} devices (${d.processes} simulator processes in ${d.namespaces - 1} namespaces + the LAN one; load at end ${d.load.join(' / ')})`);
  p();
  p(`Simulators: ${d.simulatorRssMiB.toFixed(0)} MiB RSS in total (${(d.simulatorRssMiB / d.devices).toFixed(1)} MiB per device), ready in ${s(d.readyMs)} s. ` +
    `One device per process (test/lab/lab.mjs) costs ${d.singleDeviceProcessRssMiB.median.toFixed(1)} MiB per device: ${((d.singleDeviceProcessRssMiB.median * d.devices) / 1024).toFixed(1)} GiB for ${d.devices}.`);
  p();
  p('| xmscan scan (defaults) | median | min | max |');
  p('|---|---:|---:|---:|');
  p(`| wall s | ${s(d.scan.wall.median)} | ${s(d.scan.wall.min)} | ${s(d.scan.wall.max)} |`);
  p(`| CPU s | ${s(d.scan.cpuMs.median)} | ${s(d.scan.cpuMs.min)} | ${s(d.scan.cpuMs.max)} |`);
  p(`| peak RSS MiB | ${d.scan.maxRssMiB.median.toFixed(0)} | ${d.scan.maxRssMiB.min.toFixed(0)} | ${d.scan.maxRssMiB.max.toFixed(0)} |`);
  p(`| devices found | ${d.scan.found.median} | ${d.scan.found.min} | ${d.scan.found.max} |`);
  p();
}

if (r.codec?.minRounds) {
  p('### Codec micro-benchmarks (xmscan vs node-miio `Packet`, identical inputs: the cuco.plug.v3 vectors)');
  p();
  p('Minimum time per operation over 30 alternating rounds of 4000 on the build (`test/bench/codec-minrounds.mjs`), and');
  p('the vitest bench of `test/bench/codec.bench.ts` on the TypeScript source (mean ops/s ± relative margin of error).');
  if (r.codecRunDate) p(`Codec part run ${r.codecRunDate}, load ${r.codecLoad.join(' / ')}.`);
  p();
  p('| operation | xmscan µs | node-miio µs | throughput xmscan / node-miio | vitest bench xmscan ops/s | vitest bench node-miio ops/s |');
  p('|---|---:|---:|---:|---:|---:|');
  const vit = new Map();
  for (const g of r.codec.groups ?? []) {
    const ours = g.benchmarks.find((b) => b.name.startsWith('xmscan'));
    const theirs = g.benchmarks.find((b) => b.name.startsWith('node-miio') || b.name.startsWith('baseline'));
    vit.set(g.group.split(',')[0].split(' (')[0], { ours, theirs });
  }
  const vitFor = (name) => [...vit.entries()].find(([k]) => name.toLowerCase().startsWith(k.toLowerCase().slice(0, 10)))?.[1];
  for (const [op, m] of Object.entries(r.codec.minRounds)) {
    const theirs = m['node-miio'];
    const v = vitFor(op);
    const ratio = theirs ? theirs.ns / m.xmscan.ns : NaN;
    const hz = (b) => (b?.hz ? `${Math.round(b.hz)} ±${b.rme.toFixed(0)} %` : '-');
    p(`| ${op} | ${(m.xmscan.ns / 1000).toFixed(2)} | ${theirs ? (theirs.ns / 1000).toFixed(2) : '-'} | ${theirs ? x(ratio) : '-'} | ${hz(v?.ours)} | ${v?.theirs ? `${hz(v.theirs)}${v.theirs.name.startsWith('baseline') ? ' (bare node:crypto)' : ''}` : '-'} |`);
    if (theirs && !op.startsWith('decode hello')) targets.push([`codec throughput ≥ node-miio: ${op}`, x(ratio), ratio >= 1.0]);
  }
  p();
}

if (targets.length) {
  p('### Targets');
  p();
  p('| target | measured | verdict |');
  p('|---|---|---|');
  for (const [t, m, ok] of targets) p(`| ${t} | ${m} | ${verdict(ok)} |`);
  p();
}
const md = out.join('\n') + '\n';
if (writeDocs) {
  const docs = join(REPO_ROOT, 'docs/benchmarks.md');
  const text = readFileSync(docs, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j < i) throw new Error(`${docs} has no ${start} … ${end} block`);
  writeFileSync(docs, `${text.slice(0, i + start.length)}\n${md}${text.slice(j)}`);
  process.stderr.write(`wrote the results of ${file} into ${docs}\n`);
} else process.stdout.write(md);
