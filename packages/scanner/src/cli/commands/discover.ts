import { Option, type Command } from 'commander';
import { DEFAULT_RATE_PPS, DEFAULT_TIMEOUT_MS, discover, prepareDiscovery, type DiscoverOptions } from '../../discovery/discover.js';
import { toDiscoveryJson } from '../../discovery/json.js';
import { collect, intOption } from '../common.js';
import { addLogFormatOption, createCliLogger, type LogFormat } from '../logger.js';
import { renderDiscoveryTable } from '../table.js';
import { addDryRunOption, printDryRun, type DryRunFlags } from '../dry-run.js';
import { applyFaultExitCode } from '../exit-code.js';

export interface DiscoverFlags extends DryRunFlags {
  target?: string[];
  interface?: string[];
  timeout: number;
  rate: number;
  json?: boolean;
  allowPublic?: boolean;
  allowLarge?: boolean;
  logLevel: string;
  logFormat?: LogFormat;
}

/** Options shared by `discover` and `scan`: where to look and how hard. */
export function addDiscoveryOptions(cmd: Command): Command {
  return addLogFormatOption(cmd)
    .option('-t, --target <spec>', 'CIDR, range a.b.c.d-e or single IP to sweep (repeatable; replaces the default: attached subnets)', collect)
    .option('-i, --interface <name>', 'use only this interface (repeatable)', collect)
    .option('--timeout <ms>', 'discovery window in ms', intOption('--timeout', 50, 600_000), DEFAULT_TIMEOUT_MS)
    .option('--rate <pps>', 'global packet-rate cap (packets per second)', intOption('--rate', 1, 100_000), DEFAULT_RATE_PPS)
    .option('--allow-public', 'allow targets outside private, loopback and link-local ranges')
    .option('--allow-large', 'allow a single target larger than /16')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'));
}

let interruptedBy: NodeJS.Signals | null = null;
/** The signal that stopped the last `withInterrupt` run, once (cli/exit-code.ts turns it into 130/143). */
export function takeInterrupt(): NodeJS.Signals | null {
  const s = interruptedBy;
  interruptedBy = null;
  return s;
}

/** Run `fn` with an AbortSignal that SIGINT/SIGTERM trip, so a stopped scan still reports what it has. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    interruptedBy ??= sig;
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export function registerDiscover(program: Command): void {
  addDryRunOption(
    addDiscoveryOptions(
      program
        .command('discover')
        .description('find Xiaomi-ecosystem devices: mDNS, miIO hello (broadcast + unicast sweep), ARP, Yeelight, Aqara gateway'),
    ),
  )
    .option('--json', 'print exactly one JSON document on stdout')
    .action(async (flags: DiscoverFlags) => {
      const logger = createCliLogger({ level: flags.logLevel, format: flags.logFormat });
      const options: DiscoverOptions = {
        targets: flags.target,
        interfaces: flags.interface,
        timeoutMs: flags.timeout,
        ratePps: flags.rate,
        allowPublic: flags.allowPublic,
        allowLarge: flags.allowLarge,
        logger,
      };
      // The scope guard runs here, before any socket opens; discover() runs it again itself.
      const plan = prepareDiscovery(options);
      if (flags.dryRun) {
        printDryRun({ command: 'discover', plan, timeoutMs: flags.timeout, ratePps: flags.rate, json: flags.json === true });
        return;
      }
      const result = await withInterrupt((signal) => discover({ ...options, signal }));
      const doc = toDiscoveryJson(result);
      process.stdout.write(flags.json ? JSON.stringify(doc, null, 2) + '\n' : renderDiscoveryTable(doc));
      applyFaultExitCode(
        [...result.sendErrors.map((e) => e.message), ...result.interfacesLost.map((n) => `interface ${n} went away during discovery`)],
        takeInterrupt(),
      );
    });
}
