import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SimError, isSimError } from './errors.js';
import { startSimulator } from './simulator.js';

/**
 * `xmsim` entry point (bin/xmsim.mjs imports this file). The only simulator file that prints or
 * exits: stdout carries exactly one line, `xmsim ready <N> device(s)`, after the manifest is written.
 */

const USAGE = `usage: xmsim --profiles <demo|lab|file.json> [--only NAME]... [--address IP] [--interface IFNAME]
             [--manifest FILE] [--log FILE] [--no-multicast] [--quiet]`;

function writeAtomic(file: string, data: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, file);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        profiles: { type: 'string' },
        only: { type: 'string', multiple: true },
        address: { type: 'string' },
        interface: { type: 'string' },
        manifest: { type: 'string' },
        log: { type: 'string' },
        'no-multicast': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new SimError('SIM_ERR_ARGS', `${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (!values.profiles) throw new SimError('SIM_ERR_ARGS', `--profiles is required\n${USAGE}`);
  const quiet = values.quiet === true;
  const sim = await startSimulator({
    profiles: values.profiles,
    ...(values.only ? { only: values.only } : {}),
    ...(values.address !== undefined ? { address: values.address } : {}),
    ...(values.interface !== undefined ? { interface: values.interface } : {}),
    ...(values.log !== undefined ? { logFile: values.log } : {}),
    loopbackMulticast: values['no-multicast'] !== true,
    onError: (err, device) => {
      if (!quiet) process.stderr.write(`xmsim: ${device}: ${err.message}\n`);
    },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!quiet) process.stderr.write(`xmsim: ${signal}, stopping\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    if (values.manifest) writeAtomic(values.manifest, sim.manifest);
  } catch (e) {
    await sim.stop();
    throw e;
  }
  if (!quiet) {
    for (const d of sim.manifest.devices) {
      process.stderr.write(`xmsim: ${d.name.padEnd(14)} ${d.address.padEnd(15)} ${d.model}${d.port ? ' miio' : ''}${d.tcpPorts.length ? ` tcp ${d.tcpPorts.join(',')}` : ''}${d.mdnsName ? ` mdns ${d.mdnsName}` : ''}\n`);
    }
  }
  process.stdout.write(`xmsim ready ${sim.manifest.devices.length} device(s)\n`);
}

main().catch((e: unknown) => {
  const code = isSimError(e) ? e.code : 'SIM_ERR_INTERNAL';
  process.stderr.write(`xmsim: ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
