import type { Command } from 'commander';
import { parsePortList } from '@xmscan/miio-probe';
import { prepareDiscovery } from '../../discovery/discover.js';
import { scan, type ScanOptions } from '../../scan/scan.js';
import { collect, pkg } from '../common.js';
import { addOutputOptions, planOutputs, writeOutputs, type OutputFlags } from '../output.js';
import { createCliLogger, effectiveLogLevel } from '../logger.js';
import { addUnattendedOptions, withScanLock, type UnattendedFlags } from '../lock.js';
import { createProgress } from '../progress.js';
import { defaultSources } from '../../discovery/discover.js';
import { addDiscoveryOptions, takeInterrupt, withInterrupt, type DiscoverFlags } from './discover.js';
import { addIgnoreOptions, applyIgnoreStep, loadIgnore, type IgnoreFlags } from '../ignore.js';
import { addHistoryOptions, historyPath, storeHistory, type HistoryFlags } from '../history.js';
import { addNotifyOptions, applyNotifyExitCode, runNotifyStep, type NotifyFlags } from '../notify.js';
import { addExitCodeOptions, applyScanExitCode, type ExitCodeFlags } from '../exit-code.js';
import { addDryRunOption, printDryRun } from '../dry-run.js';
import { applyFaultExitCode, scanFaultMessages } from '../exit-code.js';

export interface ScanFlags extends DiscoverFlags, OutputFlags, UnattendedFlags, IgnoreFlags, HistoryFlags, NotifyFlags, ExitCodeFlags {
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
  addUnattendedOptions(cmd);
  addIgnoreOptions(cmd);
  addHistoryOptions(cmd);
  addExitCodeOptions(cmd, 'scan');
  addNotifyOptions(cmd); // after the exit codes: its help text continues their list with 3
  addDryRunOption(cmd);
  cmd.action(async (positional: string[], flags: ScanFlags) => {
      const logger = createCliLogger({ level: effectiveLogLevel(cmd, flags), format: flags.logFormat });
      const progress = createProgress({ enabled: flags.quiet ? false : undefined });
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
        sources: progress.instrument(defaultSources()),
        onDevice: () => progress.deviceFound(),
        onDeviceAudited: () => progress.deviceProbed(),
      };
      const ignoreEntries = loadIgnore(flags); // before scanning: a bad file costs no scan time
      const outputTargets = planOutputs(flags); // before scanning too: bad --format/--output is a usage error
      const plan = prepareDiscovery(options);
      if (flags.dryRun) {
        // Before the lock, the token files and any socket: a plan only (cli/dry-run.ts).
        printDryRun({ command: 'scan', plan, timeoutMs: flags.timeout, ratePps: flags.rate, json: flags.json === true || (flags.format ?? []).includes('json'), extraPorts: flags.ports, tokenFiles: (flags.tokens ?? []).length });
        return;
      }
      progress.sweepTotal(plan.sweepHosts.length);
      // One scan at a time (timer + manual run): the second reports the lock and exits 0, or waits with --wait.
      const ran = await withScanLock(flags, () => withInterrupt((signal) => scan({ ...options, signal })).finally(() => progress.done()));
      if (ran === null) return;
      const { secrets } = ran;
      const report = applyIgnoreStep(ran.report, ignoreEntries, logger);
      // Pipeline: (ignore) → outputs → (history, diff, notifications) → exit code; each step is one module.
      // --quiet: nothing on stdout unless a JSON document was asked for.
      // Result files are always written; raw secrets reach the writers only with --show-secrets.
      const outputs = flags.quiet ? outputTargets.filter((t) => t.path !== null || t.format === 'json') : outputTargets;
      await writeOutputs(report, flags, { targets: outputs, ...(flags.showSecrets ? { secrets } : {}) });
      const scanId = storeHistory(report, flags, secrets); // after output; --no-history skips
      const notified = await runNotifyStep({ report, secrets, historyFile: historyPath(flags), scanId }, flags, { logger });
      applyScanExitCode(report, flags); // last
      applyNotifyExitCode(notified, report, flags);
      applyFaultExitCode(scanFaultMessages(report), takeInterrupt()); // issue 8: partial runs never exit 0/1
    });
}
