/**
 * `xmscan demo`: the zero-device way to see what xmscan does. Starts the simulator's `demo` home
 * (@xmscan/simulator) on 127.0.0.x addresses inside this process, scans it with the real scanner,
 * prints the report, stops the simulator.
 *
 * Containment (a user trying this at home must not have fake devices announced to their LAN):
 * - the simulated devices bind 127.0.0.x only (the simulator refuses anything else without an interface);
 * - discovery is confined to loopback: targets are exactly the simulated addresses, the interface list
 *   the planner sees holds only loopback interfaces, and every multicast socket (ours and the
 *   simulator's) pins IP_MULTICAST_IF to a 127.0.0.x address, so multicast leaves through lo;
 * - when multicast pinned to lo does not work (tested with one datagram first) the multicast parts are
 *   not started at all: the simulator runs without its mDNS / Yeelight / Lumi responders and discovery
 *   uses only the unicast hello sweep.
 * Loopback has no ARP, so the simulated home's neighbour table (IP → MAC, from the simulator's manifest)
 * is injected through discover()'s `neighbourTable` — what ARP would show on the simulated LAN.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { TokenEntry } from '@xmscan/miio-probe';
import { Token } from '@xmscan/miio-probe/codec';
import { getWriter, type ScanReport } from '@xmscan/report';
import type { Manifest, RunningSimulator } from '@xmscan/simulator';
import { listIpv4Interfaces, type NetInterface } from '../../adapters/interfaces.js';
import { openUdp, type UdpEndpoint } from '../../adapters/udp.js';
import type { NeighbourTable } from '../../adapters/neighbours.js';
import { defaultSources } from '../../discovery/discover.js';
import type { DiscoverySource, Logger } from '../../discovery/source.js';
import { scan } from '../../scan/scan.js';
import { helloSweepSource } from '../../sources/hello-sweep.js';
import { intOption, pkg, setExitCode } from '../common.js';
import { addLogFormatOption, addLogLevelOption, createCliLogger, type LogFormat } from '../logger.js';
import { createProgress, type Progress } from '../progress.js';
import { withInterrupt } from './discover.js';

export type DemoErrorCode = 'SCAN_ERR_DEMO';
export class DemoError extends Error {
  readonly code: DemoErrorCode = 'SCAN_ERR_DEMO';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoError';
  }
}

/** An administratively scoped group (RFC 2365) nobody else uses, for the one self-test datagram. */
const PROBE_GROUP = '239.255.77.77';

/**
 * Does multicast pinned to loopback reach a listener on loopback? One datagram, IP_MULTICAST_IF set
 * to the loopback address (so it cannot leave through another interface, whatever the routes say),
 * TTL 1, to a socket joined on that address; answered within `timeoutMs` or not. Linux delivers this
 * even when lo lacks IFF_MULTICAST, so this tests what the demo needs instead of reading flags (which
 * /sys shows for the namespace that mounted it, not necessarily ours).
 */
export async function loopbackMulticastWorks(address: string, timeoutMs = 300): Promise<boolean> {
  let sock: UdpEndpoint | null = null;
  try {
    sock = await openUdp({ multicastInterface: address, multicastTtl: 1, memberships: [{ group: PROBE_GROUP, interfaceAddress: address }] });
    const s = sock;
    const nonce = Buffer.from(`xmscan-demo-mcast-${process.pid}-${Math.random()}`);
    const got = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      s.onMessage((msg) => {
        if (msg.equals(nonce)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    await s.send(nonce, s.local().port, PROBE_GROUP);
    return await got;
  } catch {
    return false;
  } finally {
    await sock?.close();
  }
}

/** Loopback interfaces with a 127.x address: the only ones the demo lets discovery see. */
export function loopbackInterfaces(list: () => NetInterface[] = listIpv4Interfaces): NetInterface[] {
  return list().filter((i) => i.internal && i.address.startsWith('127.'));
}

/** What ARP would show on the simulated LAN (loopback has none). */
export function manifestNeighbourTable(manifest: Manifest, ifName: string): NeighbourTable {
  return {
    read(ips) {
      const wanted = new Set(ips);
      return Promise.resolve(manifest.devices.filter((d) => wanted.has(d.address)).map((d) => ({ ip: d.address, mac: d.mac.toUpperCase(), interface: ifName })));
    },
  };
}

/**
 * The tokens a user would have extracted (Xiaomi cloud token extractor) for some devices: those whose
 * token does not leak in the hello reply, so `miIO.info` (firmware, Wi-Fi, cloud link) can be read.
 * The leaking ones xmscan reads with the leaked token, which is the point of the token-exposure check.
 */
export function demoTokens(manifest: Manifest): TokenEntry[] {
  return manifest.devices
    .filter((d) => d.port !== null && !d.leaksToken)
    .map((d, index) => ({
      token: Token.fromHex(d.token),
      deviceId: String(d.did),
      ip: d.address,
      model: d.model,
      name: d.name,
      source: { file: '(demo: simulator tokens)', format: 'native-json', index },
    }));
}

export interface DemoOptions {
  timeoutMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
  progress?: Progress;
  /** Force multicast on lo on/off (tests); default: detected. */
  multicast?: boolean;
  listInterfaces?: () => NetInterface[];
}

export interface DemoResult {
  report: ScanReport;
  manifest: Manifest;
  multicast: boolean;
  interfaces: string[];
  notes: string[];
  tokensSupplied: number;
}

export const DEMO_DEFAULT_TIMEOUT_MS = 1200;

/** Start the simulated home, scan it, stop it (always, even on failure). Library-style: never prints. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const loopbacks = loopbackInterfaces(opts.listInterfaces);
  const lo = loopbacks[0];
  if (lo === undefined) throw new DemoError('no loopback interface with a 127.x address is up: the demo runs on loopback only');
  const multicast = opts.multicast ?? (await loopbackMulticastWorks(lo.address));
  let sim: RunningSimulator;
  // The simulated devices hear each other's (deliberately malformed) mDNS: their complaints are debug noise.
  const onError = (err: Error, device: string) => opts.logger?.debug({ device, err: err.message }, 'simulator');
  try {
    // Loaded here, not at CLI start-up: only the demo needs the simulator.
    const { startSimulator } = await import('@xmscan/simulator');
    sim = await startSimulator({ profiles: 'demo', loopbackMulticast: multicast, onError });
  } catch (err) {
    throw new DemoError(`cannot start the simulated home: ${(err as Error).message}`, { cause: err });
  }
  try {
    const manifest = sim.manifest;
    const tokens = demoTokens(manifest);
    // Unicast only without multicast on lo; the broadcast source never runs on loopback anyway.
    const base: DiscoverySource[] = multicast ? defaultSources().filter((s) => s.name !== 'hello-broadcast') : [helloSweepSource()];
    const sources = opts.progress ? opts.progress.instrument(base) : base;
    const targets = manifest.devices.map((d) => d.address);
    opts.progress?.sweepTotal(targets.length);
    const { report } = await scan({
      targets,
      interfaces: [lo.name],
      listInterfaces: () => loopbacks,
      neighbourTable: manifestNeighbourTable(manifest, lo.name),
      sources,
      tokens,
      timeoutMs: opts.timeoutMs ?? DEMO_DEFAULT_TIMEOUT_MS,
      logger: opts.logger,
      signal: opts.signal,
      toolVersion: pkg.version,
      onDevice: () => opts.progress?.deviceFound(),
      onDeviceAudited: () => opts.progress?.deviceProbed(),
    });
    const notes = [
      `This was a simulated home: ${manifest.devices.length} devices from the simulator's "demo" profiles on ${targets[0]}…${targets[targets.length - 1]} (loopback, interface ${lo.name}); nothing was sent to a real network.`,
      `Tokens for ${tokens.length} devices were supplied from the simulator, as if you had extracted them (xmscan scan --tokens FILE); the others were read with the token they leak, or not at all.`,
      'Loopback has no ARP: the simulated home\'s neighbour table (IP → MAC) was injected, which is what ARP would show on a real LAN; that is how the router and the TV box (no miIO) are found.',
      multicast
        ? `Multicast works on ${lo.name}: mDNS, Yeelight and Aqara discovery ran on loopback only.`
        : `Multicast does not work on ${lo.name} here: mDNS names, Yeelight and Aqara gateway discovery were skipped (so names, the Yeelight LAN-control and Aqara LAN-protocol checks have less data); devices were found by the unicast miIO hello sweep and the injected ARP table only.`,
    ];
    return { report, manifest, multicast, interfaces: [lo.name], notes, tokensSupplied: tokens.length };
  } finally {
    await sim.stop();
  }
}

export interface DemoFlags {
  json?: boolean;
  html?: string;
  timeout: number;
  logLevel: string;
  logFormat: LogFormat;
  quiet?: boolean;
}

async function writeHtml(report: ScanReport, file: string): Promise<string | null> {
  let writer;
  try {
    writer = getWriter('html');
  } catch {
    return 'the HTML writer is not available in this build of @xmscan/report (no "html" format yet): no HTML written';
  }
  const out = createWriteStream(file, { mode: 0o600 });
  await once(out, 'open');
  await writer.write(report, out);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return null;
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('scan a built-in simulated home on loopback: no device needed, no packet leaves this machine')
    .option('--json', 'print exactly one JSON document (the report schema) on stdout')
    .option('--html <file>', 'also write the report as HTML to FILE')
    .option('--timeout <ms>', 'discovery window in ms', intOption('--timeout', 200, 60_000), DEMO_DEFAULT_TIMEOUT_MS)
    .option('-q, --quiet', 'no progress display, errors only on stderr');
  addLogLevelOption(cmd);
  addLogFormatOption(cmd);
  cmd.action(async (flags: DemoFlags) => {
    const logger = createCliLogger({ level: flags.quiet ? 'error' : flags.logLevel, format: flags.logFormat });
    const progress = createProgress({ enabled: flags.quiet ? false : undefined });
    progress.phase('discovery');
    let result: DemoResult;
    try {
      result = await withInterrupt((signal) => runDemo({ timeoutMs: flags.timeout, logger, signal, progress }));
    } finally {
      progress.done();
    }
    const { report } = result;
    await getWriter(flags.json ? 'json' : 'table').write(report, process.stdout);
    const notes = ['', 'About this demo:', ...result.notes.map((n) => `  - ${n}`), ''].join('\n');
    // With --json stdout holds exactly one document: the notes go to stderr.
    if (flags.json) {
      if (!flags.quiet) process.stderr.write(notes + '\n');
    } else process.stdout.write(notes + '\n');
    if (flags.html !== undefined) {
      const problem = await writeHtml(report, flags.html);
      if (problem !== null) {
        process.stderr.write(`xmscan demo: --html ${flags.html}: ${problem}\n`);
        setExitCode(1);
      } else if (!flags.quiet) process.stderr.write(`xmscan demo: HTML report written to ${flags.html}\n`);
    }
  });
}
