#!/usr/bin/env node
// Shell entry for the LAN lab:
//   pnpm lab:up [N | name...] [--profiles lab|demo|file.json] [--id ID]
//   pnpm lab:down [ID | --all]
//   node test/lab/cli.mjs status
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { LabError, REPO_ROOT, cleanupStaleLabs, listLabStates, startLab, stopAllLabs, teardownState } from './lab.mjs';

const USAGE = `usage: pnpm lab:up [N | device-name...] [--profiles lab|demo|<file.json>] [--id ID]
       pnpm lab:down [ID | --all]
       node test/lab/cli.mjs status`;

async function up(positionals, values) {
  // One shell lab at a time: a new `lab:up` replaces the previous one instead of stacking namespaces.
  for (const state of listLabStates().filter((s) => s.persistent)) {
    await teardownState(state);
    console.log(`replaced previous lab ${state.id} (${state.lanNs})`);
  }
  await cleanupStaleLabs();
  let devices;
  if (positionals.length === 1 && /^\d+$/.test(positionals[0])) devices = Number(positionals[0]);
  else if (positionals.length > 0) devices = positionals;
  const t0 = Date.now();
  const lab = await startLab({ devices, profiles: values.profiles ?? 'lab', id: values.id, persistent: true });
  const ms = Date.now() - t0;
  const rel = (p) => relative(process.cwd(), p) || '.';
  console.log(`lab ${lab.id} up in ${ms} ms: ${lab.devices.length} simulated device(s) on ${lab.subnet}`);
  for (const d of lab.manifest.devices) console.log(`  ${d.address.padEnd(12)} ${String(d.mac).padEnd(17)} ${d.name} (${d.model})`);
  console.log('');
  console.log(`LAN namespace: ${lab.lanNs}   (scanner address ${lab.scannerAddress} on eth0)`);
  console.log(`manifest:      ${rel(lab.manifestFile)}`);
  console.log('');
  console.log('run the scanner inside the lab:');
  console.log(`  ip netns exec ${lab.lanNs} pnpm exec xmscan discover`);
  console.log(`  ip netns exec ${lab.lanNs} pnpm exec xmscan --help`);
  console.log('tear it down:');
  console.log('  pnpm lab:down');
}

async function down(positionals, values) {
  const want = positionals[0];
  if (want) {
    const state = listLabStates().find((s) => s.id === want || s.lanNs === want);
    if (!state) {
      console.log(`no lab ${want} recorded`);
      return;
    }
    await teardownState(state);
    console.log(`lab ${state.id} torn down`);
    return;
  }
  const ids = await stopAllLabs({ all: values.all === true });
  console.log(ids.length ? `torn down: ${ids.join(', ')}` : 'no lab running');
  const left = listLabStates();
  if (left.length) console.log(`left running (owned by a live process; --all to stop them too): ${left.map((s) => `${s.id} (pid ${s.owner?.pid})`).join(', ')}`);
}

function status() {
  const states = listLabStates();
  if (!states.length) console.log('no lab recorded');
  for (const s of states) {
    console.log(`${s.id}  ${s.lanNs}  ${s.devices.length} device(s)  ${s.persistent ? 'shell' : `owner pid ${s.owner?.pid}`}  since ${s.createdAt}`);
  }
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { profiles: { type: 'string' }, id: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || !cmd) {
    console.log(USAGE);
    return;
  }
  process.chdir(REPO_ROOT);
  if (cmd === 'up') await up(positionals, values);
  else if (cmd === 'down') await down(positionals, values);
  else if (cmd === 'status') status();
  else {
    console.error(USAGE);
    process.exitCode = 2;
  }
}

main().catch((err) => {
  console.error(err instanceof LabError ? `lab: ${err.code}: ${err.message}` : err);
  process.exitCode = 1;
});
