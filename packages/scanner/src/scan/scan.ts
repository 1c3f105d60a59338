/**
 * `scan()`: discovery, then probes and checks per device, assembled into one ScanReport (design.md
 * "One scan, as data"). Port probes start the moment a device's address is first seen, overlapping
 * discovery; the miIO and ecosystem stages run once the merged record (did, MAC) is known. Every
 * stage has a deadline: a silent or hostile device costs its own budget, never the whole scan's.
 */
import { setMaxListeners } from 'node:events';
import {
  DEFAULT_TCP_PORTS,
  loadAdvisoryDatabase,
  loadTokenFiles,
  type AdvisoryDatabase,
  type PortResult,
  type TokenEntry,
} from '@xmscan/miio-probe';
import { buildReport, type CheckRun, type DeviceReport, type DeviceSecrets, type Finding, type ReportWarning, type ScanReport } from '@xmscan/report';
import { discover, prepareDiscovery, type DiscoverOptions, type DiscoveryResult } from '../discovery/discover.js';
import { silentLogger } from '../discovery/source.js';
import { OFF_SUBNET_WARNING, offSubnetMessage } from '../discovery/off-subnet.js';
import { ScanError } from '../errors.js';
import { listIpv4Interfaces } from '../adapters/interfaces.js';
import { networkFaultWarnings } from '../discovery/net-faults.js';
import { auditDevice, type AuditSettings } from './audit-device.js';
import { hostileWarnings, observeJunk } from './hostile-signals.js';
import { createLimit } from './limit.js';
import { createMiioPrefetch } from './miio-prefetch.js';
import { realProbes, type ScanProbes } from './probes.js';

export interface ScanOptions extends DiscoverOptions {
  /** `--tokens FILE` (repeatable); format auto-detected. */
  tokenFiles?: readonly string[] | undefined;
  /** Pre-loaded token entries (tests, library users). */
  tokens?: readonly TokenEntry[] | undefined;
  /** `--ports`: extra TCP ports on top of the family profile. */
  ports?: readonly number[] | undefined;
  /** Devices audited at once. */
  concurrency?: number | undefined;
  /** Budget for the whole probe stage after discovery, ms. */
  probeDeadlineMs?: number | undefined;
  miioTimeoutMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
  bannerTimeoutMs?: number | undefined;
  advisories?: AdvisoryDatabase | undefined;
  probes?: ScanProbes | undefined;
  toolVersion?: string | undefined;
  /** Each device once its audit is done (progress display). */
  onDeviceAudited?: ((device: DeviceReport) => void) | undefined;
}

export interface ScanResult {
  /** Redacted: fingerprints and masks only. Safe to print, store and send. */
  report: ScanReport;
  /** Raw secrets per device, for `--show-secrets` output only (never history, never notifications). */
  secrets: DeviceSecrets[];
  discovery: DiscoveryResult;
}

export const SCAN_DEFAULTS = {
  concurrency: 32,
  probeDeadlineMs: 6000,
  miioTimeoutMs: 300,
  miioRetries: 1,
  connectTimeoutMs: 800,
  bannerTimeoutMs: 1000,
  probeTimeoutMs: 1000,
} as const;

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  // Scope guard and option checks before anything is read or sent.
  prepareDiscovery(options);
  const logger = options.logger ?? silentLogger;
  const now = () => (options.clock ? options.clock.now() : Date.now());
  const startedAt = now();
  const warnings: ReportWarning[] = [];

  const loaded = options.tokens ? { entries: [...options.tokens], warnings: [] as string[] } : await loadTokenFiles(options.tokenFiles ?? []);
  for (const w of loaded.warnings) warnings.push({ code: 'SCAN_WARN_TOKENS', message: w });
  const advisories = options.advisories ?? (await loadAdvisoryDatabase());
  const probes = options.probes ?? realProbes;
  const extraPorts = [...new Set(options.ports ?? [])];
  const tcpPorts = [...new Set([...DEFAULT_TCP_PORTS, ...extraPorts])].sort((a, b) => a - b);

  const outer = options.signal;
  const portControl = new AbortController();
  // Port probes start during discovery, one abort listener per connect in flight (more than the default 10).
  setMaxListeners(0, portControl.signal);
  const abortPorts = () => portControl.abort();
  outer?.addEventListener('abort', abortPorts, { once: true });

  const connectTimeoutMs = options.connectTimeoutMs ?? SCAN_DEFAULTS.connectTimeoutMs;
  const bannerTimeoutMs = options.bannerTimeoutMs ?? SCAN_DEFAULTS.bannerTimeoutMs;
  const portLimit = createLimit(options.concurrency ?? SCAN_DEFAULTS.concurrency);
  const portJobs = new Map<string, Promise<PortResult[]>>();
  const startPorts = (ip: string): Promise<PortResult[]> => {
    let job = portJobs.get(ip);
    if (job === undefined) {
      job = portLimit(() =>
        probes.ports({ ip, ports: tcpPorts, connectTimeoutMs, bannerTimeoutMs, signal: portControl.signal }),
      ).catch((err: unknown) => {
        logger.warn({ ip, err: (err as Error).message }, 'port probe failed');
        return [];
      });
      portJobs.set(ip, job);
    }
    return job;
  };

  // miIO sessions, like the port probes, start during discovery (miio-prefetch.ts, issue 7).
  const miioTimeoutMs = options.miioTimeoutMs ?? SCAN_DEFAULTS.miioTimeoutMs;
  const prefetch = createMiioPrefetch(probes, { tokens: loaded.entries, timeoutMs: miioTimeoutMs, retries: SCAN_DEFAULTS.miioRetries, signal: portControl.signal });
  const discoveryStartedAt = now();
  // Junk answers are tallied for the hostile-LAN warnings (hostile-signals.ts) and their log lines capped.
  const observed = observeJunk(logger);
  const discovery = await discover({
    ...options,
    logger: observed.logger,
    onDevice: (d) => {
      if (d.ip !== null) void startPorts(d.ip);
      prefetch.start(d);
      options.onDevice?.(d);
    },
  });

  const probeStartedAt = now();
  const deadlineMs = options.probeDeadlineMs ?? SCAN_DEFAULTS.probeDeadlineMs;
  const probeControl = new AbortController();
  // Every probe of every device listens on this signal.
  setMaxListeners(0, probeControl.signal);
  const timer = setTimeout(() => {
    probeControl.abort();
    portControl.abort();
  }, deadlineMs);
  const abortProbes = () => probeControl.abort();
  outer?.addEventListener('abort', abortProbes, { once: true });

  const settings: AuditSettings = {
    probes: prefetch.probes,
    tokens: loaded.entries,
    advisories,
    extraPorts,
    miioTimeoutMs,
    miioRetries: SCAN_DEFAULTS.miioRetries,
    probeTimeoutMs: SCAN_DEFAULTS.probeTimeoutMs,
    connectTimeoutMs,
    bannerTimeoutMs,
    logger,
  };
  const auditLimit = createLimit(options.concurrency ?? SCAN_DEFAULTS.concurrency);
  const devices: DeviceReport[] = [];
  const secrets: DeviceSecrets[] = [];
  const runs: CheckRun[] = [];
  const findings: Finding[] = [];
  let unaudited = 0;
  try {
    await Promise.all(
      discovery.devices.map((record) =>
        auditLimit(async () => {
          if (record.ip === null) return;
          try {
            const audit = await auditDevice(record, startPorts(record.ip), settings, probeControl.signal);
            if (audit === null) return;
            if (discovery.offSubnet.includes(record.ip)) {
              // Flag it rather than let silence read as "not found" / "clean" (off-subnet.ts).
              audit.device = { ...audit.device, extras: { ...audit.device.extras, offSubnet: true } };
              warnings.push({ code: OFF_SUBNET_WARNING, message: offSubnetMessage(record.ip), ip: record.ip });
            }
            devices.push(audit.device);
            options.onDeviceAudited?.(audit.device);
            secrets.push(audit.secrets);
            runs.push(...audit.runs);
            findings.push(...audit.findings);
          } catch (err) {
            // A bug or a hostile device must cost one record, not the scan.
            unaudited++;
            logger.error({ ip: record.ip, err: (err as Error).message }, 'device audit failed');
            warnings.push({ code: 'SCAN_ERR_AUDIT', message: `audit failed: ${(err as Error).message}`, ip: record.ip });
          }
        }),
      ),
    );
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', abortPorts);
    outer?.removeEventListener('abort', abortProbes);
    portControl.abort();
  }
  const portResults = new Map<string, PortResult[]>();
  for (const [ip, job] of portJobs) portResults.set(ip, await job); // settled: the abort above ends them
  warnings.push(...hostileWarnings({ discovery, ports: portResults, runs, junk: observed.junk, bannerTimeoutMs }));
  const finishedAt = now();
  logger.debug(
    {
      devices: discovery.devices.length,
      audited: devices.length,
      setupMs: discoveryStartedAt - startedAt,
      discoveryMs: probeStartedAt - discoveryStartedAt,
      probeMs: finishedAt - probeStartedAt,
      totalMs: finishedAt - startedAt,
    },
    'scan stages',
  );
  // Network faults (issue 8): refused sends, an interface gone during discovery or the probe stage.
  const ifacesNow = (options.listInterfaces ?? listIpv4Interfaces)();
  const goneSince = discovery.plan.interfaces.filter((n) => !ifacesNow.some((i) => i.name === n) && !discovery.interfacesLost.includes(n));
  for (const name of goneSince) logger.warn({ iface: name }, 'interface went away during the probe stage');
  const netFaults = networkFaultWarnings(discovery, goneSince);
  warnings.push(...netFaults);
  const incomplete = probeControl.signal.aborted || outer?.aborted === true || unaudited > 0 || netFaults.length > 0;
  if (probeControl.signal.aborted && !outer?.aborted) {
    warnings.push({ code: 'SCAN_WARN_DEADLINE', message: `probe stage hit its ${deadlineMs} ms deadline; some results may be missing` });
  }
  if (outer?.aborted) warnings.push({ code: 'SCAN_WARN_ABORTED', message: 'scan interrupted; report is partial' });

  const report = buildReport(
    {
      tool: { name: 'xmscan', version: options.toolVersion ?? '0.0.0' },
      startedAt,
      finishedAt,
      options: {
        ...(options.targets ? { targets: [...options.targets] } : {}),
        ...(options.interfaces ? { interfaces: [...options.interfaces] } : {}),
        timeoutMs: options.timeoutMs ?? null,
        tokenFiles: (options.tokenFiles ?? []).length,
        ports: tcpPorts,
      },
      devices,
      checks: runs,
      findings,
      incomplete,
      warnings,
    },
    { now },
  );
  return { report, secrets, discovery };
}

export { ScanError };
