/**
 * xmscan CLI entry (bin/xmscan.mjs imports dist/cli/main.js). The only place that prints or exits.
 * Exit codes: 0 ok, 1 unexpected failure, 2 usage / scope refusal (nothing sent).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_RATE_PPS, DEFAULT_TIMEOUT_MS, discover, prepareDiscovery, type DiscoverOptions } from '../discovery/discover.js';
import { toDiscoveryJson } from '../discovery/json.js';
import { isScanError } from '../errors.js';
import { createCliLogger } from './logger.js';
import { renderDiscoveryTable } from './table.js';
import { parsePortList } from '@xmscan/miio-probe';
import { getWriter } from '@xmscan/report';
import { scan, type ScanOptions } from '../scan/scan.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const intOption = (name: string, min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface DiscoverFlags {
  target?: string[];
  interface?: string[];
  timeout: number;
  rate: number;
  json?: boolean;
  allowPublic?: boolean;
  allowLarge?: boolean;
  logLevel: string;
}

export function buildProgram(): Command {
  const program = new Command('xmscan')
    .description('Audit the Xiaomi / Mi Home devices on your home network (read-only).')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('discover')
    .description('find Xiaomi-ecosystem devices: mDNS, miIO hello (broadcast + unicast sweep), ARP, Yeelight, Aqara gateway')
    .option('-t, --target <spec>', 'CIDR, range a.b.c.d-e or single IP to sweep (repeatable; replaces the default: attached subnets)', collect)
    .option('-i, --interface <name>', 'use only this interface (repeatable)', collect)
    .option('--timeout <ms>', 'discovery window in ms', intOption('--timeout', 50, 600_000), DEFAULT_TIMEOUT_MS)
    .option('--rate <pps>', 'global packet-rate cap (packets per second)', intOption('--rate', 1, 100_000), DEFAULT_RATE_PPS)
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--allow-public', 'allow targets outside private, loopback and link-local ranges')
    .option('--allow-large', 'allow a single target larger than /16')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (flags: DiscoverFlags) => {
      const logger = createCliLogger(flags.logLevel);
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
      prepareDiscovery(options);
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      const result = await discover({ ...options, signal: ac.signal });
      process.removeListener('SIGINT', onSignal);
      const doc = toDiscoveryJson(result);
      process.stdout.write(flags.json ? JSON.stringify(doc, null, 2) + '\n' : renderDiscoveryTable(doc));
    });
  program
    .command('scan')
    .description('discover, then audit each device: token exposure, miIO.info with your tokens, ports and banners, ecosystem checks, firmware advisories')
    .argument('[targets...]', 'CIDR, range a.b.c.d-e or single IP (same as --target)')
    .option('-t, --target <spec>', 'CIDR, range a.b.c.d-e or single IP to sweep (repeatable; replaces the default: attached subnets)', collect)
    .option('-i, --interface <name>', 'use only this interface (repeatable)', collect)
    .option('--tokens <file>', 'tokens you already have (repeatable): token-extractor JSON/text, miiocli cloud --raw, node-miio tokens.json, Home Assistant core.config_entries, CSV/JSON', collect)
    .option('--ports <list>', 'extra TCP ports, e.g. 8000,9000-9010', (v: string) => parsePortList(v))
    .option('--timeout <ms>', 'discovery window in ms', intOption('--timeout', 50, 600_000), DEFAULT_TIMEOUT_MS)
    .option('--rate <pps>', 'global packet-rate cap (packets per second)', intOption('--rate', 1, 100_000), DEFAULT_RATE_PPS)
    .option('--json', 'print exactly one JSON document (the report schema) on stdout')
    .option('--allow-public', 'allow targets outside private, loopback and link-local ranges')
    .option('--allow-large', 'allow a single target larger than /16')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .action(async (positional: string[], flags: DiscoverFlags & { tokens?: string[]; ports?: number[] }) => {
      const logger = createCliLogger(flags.logLevel);
      const targets = [...positional, ...(flags.target ?? [])];
      const options: ScanOptions = {
        targets: targets.length > 0 ? targets : undefined,
        interfaces: flags.interface,
        timeoutMs: flags.timeout,
        ratePps: flags.rate,
        allowPublic: flags.allowPublic,
        allowLarge: flags.allowLarge,
        tokenFiles: flags.tokens ?? [],
        ports: flags.ports,
        logger,
        toolVersion: pkg.version,
      };
      prepareDiscovery(options);
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const { report } = await scan({ ...options, signal: ac.signal });
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await getWriter(flags.json ? 'json' : 'table').write(report, process.stdout);
    });
  return program;
}

/** Errors that mean "the user's input is wrong" (a tokens file, a port list): exit 2 like usage errors. */
function isUsageError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(MIIO_ERR_TOKENS|MIIO_ERR_PORTS|MIIO_ERR_BAD_TOKEN|REPORT_ERR_UNKNOWN_FORMAT)/.test(code);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // --help / --version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isScanError(err) || isUsageError(err)) {
      process.stderr.write(`xmscan: ${err.message} [${err.code}]\n`);
      return 2;
    }
    process.stderr.write(`xmscan: unexpected failure: ${e.message ?? String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
process.exitCode = code;
