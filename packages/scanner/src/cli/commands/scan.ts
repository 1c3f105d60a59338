import type { Command } from 'commander';
import { parsePortList } from '@xmscan/miio-probe';
import { prepareDiscovery } from '../../discovery/discover.js';
import { scan, type ScanOptions } from '../../scan/scan.js';
import { collect, pkg } from '../common.js';
import { addOutputOptions, writeOutputs, type OutputFlags } from '../output.js';
import { createCliLogger } from '../logger.js';
import { addDiscoveryOptions, withInterrupt, type DiscoverFlags } from './discover.js';

export interface ScanFlags extends DiscoverFlags, OutputFlags {
  tokens?: string[];
  ports?: number[];
}

export function registerScan(program: Command): void {
  const cmd = addDiscoveryOptions(
    program
      .command('scan')
      .description('discover, then audit each device: token exposure, miIO.info with your tokens, ports and banners, ecosystem checks, firmware advisories')
      .argument('[targets...]', 'CIDR, range a.b.c.d-e or single IP (same as --target)'),
  )
    .option(
      '--tokens <file>',
      'tokens you already have (repeatable): token-extractor JSON/text, miiocli cloud list --raw, node-miio tokens.json, Home Assistant core.config_entries, CSV/JSON',
      collect,
    )
    .option('--ports <list>', 'extra TCP ports, e.g. 8000,9000-9010', (v: string) => parsePortList(v));
  addOutputOptions(cmd);
  cmd.action(async (positional: string[], flags: ScanFlags) => {
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
      const { report } = await withInterrupt((signal) => scan({ ...options, signal }));
      // Pipeline: (ignore) → outputs → (history, diff, notifications) → exit code; each step is one module.
      await writeOutputs(report, flags);
    });
}
