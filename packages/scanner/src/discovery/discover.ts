import { setMaxListeners } from 'node:events';
import { listIpv4Interfaces, type NetInterface } from '../adapters/interfaces.js';
import { systemNeighbourTable, type NeighbourTable } from '../adapters/neighbours.js';
import { classifyMac } from '../oui/classify.js';
import { helloBroadcastSource } from '../sources/hello-broadcast.js';
import { helloSweepSource } from '../sources/hello-sweep.js';
import { lumiSource } from '../sources/lumi.js';
import { mdnsSource } from '../sources/mdns.js';
import { yeelightSource } from '../sources/yeelight.js';
import { systemClock, type Clock } from './clock.js';
import { mergeSightings, type DeviceRecord, type MacClassifier } from './merge.js';
import { offSubnetAddresses } from './off-subnet.js';
import { lostInterfaces, summarizeSendProblems, type SendProblem, type SendProblemSummary } from './net-faults.js';
import { onChosenSubnet, planDiscovery, type DiscoveryPlan } from './plan.js';
import { createRateLimiter } from './rate-limiter.js';
import { emptySighting, type Sighting } from './sighting.js';
import { silentLogger, type DiscoverySource, type Logger, type SourceContext } from './source.js';
import { ScanError } from '../errors.js';

export const DEFAULT_TIMEOUT_MS = 1500;
export const DEFAULT_RATE_PPS = 2000;
/** Distinct device ids kept per address; more is a flood, not a home (see emit). */
export const MAX_IDENTITIES_PER_IP = 16;

export interface DiscoverOptions {
  /** `--target` specs: CIDR, `a.b.c.d-e`, `a.b.c.d-w.x.y.z`, single IP. Replace the default sweep. */
  targets?: readonly string[] | undefined;
  /** `--interface` names. */
  interfaces?: readonly string[] | undefined;
  /** The discovery window in ms (replies accepted until it closes). */
  timeoutMs?: number | undefined;
  /** Global packet-rate cap (packets per second). */
  ratePps?: number | undefined;
  allowPublic?: boolean | undefined;
  allowLarge?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Every sighting as it arrives. */
  onSighting?: ((s: Sighting) => void) | undefined;
  /** A device the first time any of its keys (did, MAC, IP) is seen, so probing can start early. */
  onDevice?: ((d: DeviceRecord) => void) | undefined;
  // Injection points (tests, other platforms).
  clock?: Clock | undefined;
  sources?: readonly DiscoverySource[] | undefined;
  neighbourTable?: NeighbourTable | undefined;
  listInterfaces?: (() => NetInterface[]) | undefined;
  classify?: MacClassifier | undefined;
}

export interface DiscoveryResult {
  startedAt: string;
  finishedAt: string;
  devices: DeviceRecord[];
  sightings: Sighting[];
  plan: { interfaces: string[]; sweepHosts: number; notes: string[] };
  /** Device addresses on a subnet no local interface has an address on (see off-subnet.ts). */
  offSubnet: string[];
  /** Sends the system refused, one entry per source and errno (net-faults.ts). */
  sendErrors: SendProblemSummary[];
  /** Chosen interfaces that went away (or lost their address) during the run. */
  interfacesLost: string[];
  /** Addresses that claimed more than MAX_IDENTITIES_PER_IP device ids, with how many were dropped. */
  identityOverflow: Array<{ ip: string; dropped: number }>;
}

export function defaultSources(): DiscoverySource[] {
  return [mdnsSource(), helloBroadcastSource(), helloSweepSource(), yeelightSource(), lumiSource()];
}

/** Validate options and plan without touching the network (the scope guard lives here). */
export function prepareDiscovery(options: DiscoverOptions): DiscoveryPlan {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rate = options.ratePps ?? DEFAULT_RATE_PPS;
  if (!Number.isFinite(timeout) || timeout < 50 || timeout > 600_000) throw new ScanError('SCAN_ERR_OPTION', `timeout ${timeout} ms outside 50..600000`);
  if (!Number.isFinite(rate) || rate < 1 || rate > 100_000) throw new ScanError('SCAN_ERR_OPTION', `rate ${rate} pps outside 1..100000`);
  return planDiscovery(options, (options.listInterfaces ?? listIpv4Interfaces)());
}

/**
 * Run every source at once under one window; read the ARP table once the sweep is done; merge.
 * Resolves as soon as the window has closed and the sweep has finished. Throws only ScanError from
 * planning (before any socket opens); network trouble is logged, never thrown.
 */
export async function discover(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const plan = prepareDiscovery(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const classify: MacClassifier = options.classify ?? ((mac) => classifyMac(mac));
  const windowMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  for (const note of plan.notes) logger.info({ note }, 'discovery plan');

  const started = clock.now();
  const stop = new AbortController();
  // Every sleeping sender listens on this one signal.
  setMaxListeners(0, stop.signal);
  const onOuterAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const sightings: Sighting[] = [];
  const sendProblems: SendProblem[] = [];
  const seenKeys = new Set<string>();
  // One address can be one device; an address claiming dozens of device ids is an announcement flood
  // (hostile-LAN profile `mdns-flood`): keep the first few identities, count the rest (issue 8).
  const idsByIp = new Map<string, Set<string>>();
  const identityOverflow = new Map<string, number>();
  const emit = (s: Sighting) => {
    if (stop.signal.aborted) return;
    if (s.ip !== null && s.deviceId !== null) {
      let ids = idsByIp.get(s.ip);
      if (ids === undefined) idsByIp.set(s.ip, (ids = new Set()));
      if (!ids.has(s.deviceId)) {
        if (ids.size >= MAX_IDENTITIES_PER_IP) {
          identityOverflow.set(s.ip, (identityOverflow.get(s.ip) ?? 0) + 1);
          return;
        }
        ids.add(s.deviceId);
      }
    }
    sightings.push(s);
    options.onSighting?.(s);
    if (options.onDevice) {
      const keys = [s.deviceId && `did:${s.deviceId}`, s.mac && `mac:${s.mac}`, s.ip && `ip:${s.ip}`].filter((k): k is string => !!k);
      const isNew = keys.length > 0 && !keys.some((k) => seenKeys.has(k));
      for (const k of keys) seenKeys.add(k);
      if (isNew) {
        const [record] = mergeSightings([s], classify);
        if (record) options.onDevice(record);
      }
    }
  };

  const ctx: SourceContext = {
    signal: stop.signal,
    windowEnd: started + windowMs,
    windowMs,
    clock,
    limiter: createRateLimiter(options.ratePps ?? DEFAULT_RATE_PPS, clock),
    logger,
    emit,
    interfaces: plan.interfaces,
    sweepHosts: plan.sweepHosts,
    sendFailed: (p) => {
      // Only what the kernel refused while the run was live: a send racing the close at the end of the
      // window (ERR_SOCKET_DGRAM_NOT_RUNNING, no errno) is not a network fault.
      if (stop.signal.aborted || p.code === 'SEND_FAILED' || sendProblems.length >= 100_000) return;
      sendProblems.push(p);
    },
  };

  const sources = options.sources ?? defaultSources();
  const runs = sources.map((src) =>
    src.run(ctx).catch((err: unknown) => logger.error({ source: src.name, err: (err as Error).message }, 'discovery source failed')),
  );
  const sweepIndex = sources.findIndex((s) => s.name === 'hello-sweep');
  const sweepDone = sweepIndex >= 0 ? runs[sweepIndex]! : Promise.resolve();

  // ARP: after the sweep (its hellos made the kernel resolve every live neighbour, §6).
  const arpDone = sweepDone.then(async () => {
    logger.debug({ ms: clock.now() - started }, 'sweep done');
    if (stop.signal.aborted) return;
    const table = options.neighbourTable ?? systemNeighbourTable();
    const seen = [...new Set(sightings.map((s) => s.ip).filter((ip): ip is string => ip !== null))];
    try {
      const wanted = [...new Set([...plan.sweepHosts, ...seen])];
      const neighbours = await table.read(wanted, stop.signal);
      for (const n of neighbours) {
        if (!plan.sweepHosts.includes(n.ip) && !seen.includes(n.ip) && !onChosenSubnet(n.ip, plan.interfaces)) continue;
        emit({ ...emptySighting('arp', clock.now()), ip: n.ip, mac: n.mac, interface: n.interface ?? undefined });
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message, code: (err as ScanError).code, source: 'arp' }, 'ARP table unavailable');
    }
    logger.debug({ ms: clock.now() - started }, 'ARP read');
  });

  await Promise.all([clock.sleep(Math.max(0, started + windowMs - clock.now()), stop.signal), sweepDone, arpDone]);
  logger.debug({ ms: clock.now() - started }, 'window closed');
  stop.abort();
  options.signal?.removeEventListener('abort', onOuterAbort);
  await Promise.all(runs);
  logger.debug({ ms: clock.now() - started }, 'sources stopped');
  const finished = clock.now();
  const devices = mergeSightings(sightings, classify);
  const ifacesNow = (options.listInterfaces ?? listIpv4Interfaces)();
  const offSubnet = offSubnetAddresses(
    devices.map((d) => d.ip),
    ifacesNow,
  );
  for (const ip of offSubnet) logger.warn({ ip }, 'device on a subnet this machine has no address on');
  // Hostile LAN (issue 8): say so when the system refused sends or an interface vanished, rather than
  // let an empty result read as "no devices".
  const sendErrors = summarizeSendProblems(sendProblems);
  for (const e of sendErrors) logger.warn({ source: e.source, code: e.code, count: e.count }, e.message);
  const interfacesLost = lostInterfaces(plan.interfaces, ifacesNow);
  for (const name of interfacesLost) logger.warn({ iface: name }, 'interface went away during discovery');
  return {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    devices,
    offSubnet,
    sendErrors,
    interfacesLost,
    identityOverflow: [...identityOverflow].map(([ip, dropped]) => ({ ip, dropped })),
    sightings,
    plan: { interfaces: plan.interfaces.map((i) => i.name), sweepHosts: plan.sweepHosts.length, notes: plan.notes },
  };
}

/** The same run as an async iterable of events: sightings and new devices as they come, then the result. */
export type DiscoveryEvent =
  | { type: 'sighting'; sighting: Sighting }
  | { type: 'device'; device: DeviceRecord }
  | { type: 'done'; result: DiscoveryResult };

export async function* discoverEvents(options: DiscoverOptions = {}): AsyncGenerator<DiscoveryEvent> {
  const queue: DiscoveryEvent[] = [];
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  let finished = false;
  const push = (e: DiscoveryEvent) => {
    queue.push(e);
    wake?.();
  };
  discover({
    ...options,
    onSighting: (s) => {
      options.onSighting?.(s);
      push({ type: 'sighting', sighting: s });
    },
    onDevice: (d) => {
      options.onDevice?.(d);
      push({ type: 'device', device: d });
    },
  }).then(
    (result) => {
      finished = true;
      push({ type: 'done', result });
    },
    (err: unknown) => {
      failure = err;
      finished = true;
      wake?.();
    },
  );
  for (;;) {
    const e = queue.shift();
    if (e !== undefined) {
      yield e;
      if (e.type === 'done') return;
      continue;
    }
    if (finished && failure !== null) throw failure;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
}
