/**
 * Hostile-LAN signals (issue 8): what a device did to the scanner, as report warnings. The scan
 * already survives these (bounded reads, deadlines, junk skipped); this makes them visible, so a
 * flood, a trickling port or a device claiming someone else's id is reported, not just absorbed.
 * Pure apart from the logger wrapper; thresholds are far above what an honest device does.
 */
import type { PortResult } from '@xmscan/miio-probe';
import type { CheckRun, ReportWarning } from '@xmscan/report';
import type { DiscoveryResult } from '../discovery/discover.js';
import type { Logger } from '../discovery/source.js';

/** Hello replies from one address beyond which it is a flood (honest: one per hello we send, a few). */
export const HELLO_FLOOD_THRESHOLD = 50;
/** Device identities (records) at one address beyond which it is an announcement flood. */
export const IDENTITY_FLOOD_THRESHOLD = 16;
/** Junk-log lines passed through per address; the rest are counted, not logged. */
const JUNK_LOG_LINES_PER_IP = 5;
/** Largest UDP payload that fits one Ethernet frame: anything larger arrived fragmented. */
const ETHERNET_UDP_PAYLOAD = 1472;

export interface JunkTally {
  count: number;
  maxBytes: number;
  /** Which listeners got it (hello-sweep, hello-broadcast, mdns-lenient, yeelight, lumi). */
  sources: string[];
}

/**
 * Wrap the logger the discovery sources use: "junk … ignored" warnings (hello-sweep,
 * hello-broadcast: `{ from: 'ip:port', bytes }`) are tallied per address, and after a few lines per
 * address no longer logged, so a device answering with junk at line rate cannot flood the log.
 */
export function observeJunk(logger: Logger): { logger: Logger; junk: Map<string, JunkTally> } {
  const junk = new Map<string, JunkTally>();
  const wrapped: Logger = {
    debug: (o, m) => logger.debug(o, m),
    info: (o, m) => logger.info(o, m),
    error: (o, m) => logger.error(o, m),
    warn(o, m) {
      const rec = o as { from?: unknown; bytes?: unknown; source?: unknown };
      if (typeof m === 'string' && m.startsWith('junk') && typeof rec.from === 'string') {
        const ip = rec.from.replace(/:\d+$/, '');
        const t = junk.get(ip) ?? { count: 0, maxBytes: 0, sources: [] };
        t.count++;
        if (typeof rec.source === 'string' && !t.sources.includes(rec.source) && t.sources.length < 8) t.sources.push(rec.source);
        if (typeof rec.bytes === 'number' && rec.bytes > t.maxBytes) t.maxBytes = rec.bytes;
        junk.set(ip, t);
        if (t.count > JUNK_LOG_LINES_PER_IP) return;
        if (t.count === JUNK_LOG_LINES_PER_IP) return logger.warn({ ...o, suppressing: true }, `${m} (further junk from this address counted, not logged)`);
      }
      logger.warn(o, m);
    },
  };
  return { logger: wrapped, junk };
}

export interface HostileSignalInput {
  discovery: Pick<DiscoveryResult, 'devices' | 'sightings'> & Partial<Pick<DiscoveryResult, 'identityOverflow'>>;
  ports: ReadonlyMap<string, readonly PortResult[]>;
  runs: readonly CheckRun[];
  junk: ReadonlyMap<string, JunkTally>;
  bannerTimeoutMs: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function hostileWarnings(input: HostileSignalInput): ReportWarning[] {
  const out: ReportWarning[] = [];

  // Hello floods: replies counted per source address (every reply is a sighting).
  const hellos = new Map<string, number>();
  for (const s of input.discovery.sightings) {
    if (s.ip !== null && s.hello !== undefined) hellos.set(s.ip, (hellos.get(s.ip) ?? 0) + 1);
  }
  for (const [ip, n] of hellos) {
    if (n > HELLO_FLOOD_THRESHOLD) {
      out.push({ code: 'SCAN_WARN_REPLY_FLOOD', ip, message: `${ip} sent ${fmt(n)} miIO hello replies (an honest device sends one per hello); the extra replies were ignored` });
    }
  }

  // Junk answers (random bytes, truncated or oversized datagrams) to hello, mDNS, Yeelight, Lumi.
  for (const [ip, t] of input.junk) {
    const big = t.maxBytes > ETHERNET_UDP_PAYLOAD ? `, largest ${fmt(t.maxBytes)} bytes (oversized, fragmented)` : `, largest ${fmt(t.maxBytes)} bytes`;
    const via = t.sources.length > 0 ? ` (${t.sources.join(', ')})` : '';
    out.push({ code: 'SCAN_WARN_JUNK_REPLIES', ip, message: `${ip} answered with ${fmt(t.count)} malformed datagram(s)${via}${big}; ignored` });
  }

  // Identity floods (thousands of mDNS instances) and two devices claiming one id.
  const perIp = new Map<string, number>();
  for (const d of input.discovery.devices) if (d.ip !== null) perIp.set(d.ip, (perIp.get(d.ip) ?? 0) + 1);
  for (const o of input.discovery.identityOverflow ?? []) perIp.set(o.ip, (perIp.get(o.ip) ?? 0) + o.dropped);
  for (const [ip, n] of perIp) {
    if (n > IDENTITY_FLOOD_THRESHOLD) {
      out.push({ code: 'SCAN_WARN_IDENTITY_FLOOD', ip, message: `${ip} announced ${fmt(n)} different device identities (mDNS/hello); treat its records as untrusted` });
    }
  }
  for (const d of input.discovery.devices) {
    const ips = d.conflicts.find((c) => c.field === 'ip');
    if (d.deviceId !== null && ips !== undefined) {
      const list = ips.values.map((v) => v.value);
      out.push({
        code: 'SCAN_WARN_DUPLICATE_DEVICE_ID',
        ip: d.ip ?? list[0] ?? '',
        message: `device id ${d.deviceId} answered from ${list.join(', ')}: two devices claim one id (cloned firmware or spoofing), or one device changed address during the scan`,
      });
    }
  }

  // TCP services that trickle or never stop.
  for (const [ip, results] of input.ports) {
    for (const r of results) {
      if (!r.open || !r.read) continue;
      if (r.read.stop === 'timeout' && r.read.bytes > 0 && r.read.bytes < 64) {
        out.push({ code: 'SCAN_WARN_SLOW_BANNER', ip, message: `${ip} port ${r.port}/tcp sent only ${r.read.bytes} byte(s) in ${input.bannerTimeoutMs} ms (trickling banner); read cut at the deadline` });
      } else if (r.read.stop === 'limit') {
        out.push({ code: 'SCAN_WARN_OVERSIZED_REPLY', ip, message: `${ip} port ${r.port}/tcp kept sending past the ${fmt(r.read.bytes)}-byte read cap; the rest was not read` });
      }
    }
  }

  // Malformed miIO replies (e.g. miIO.info nested tens of thousands of levels deep).
  const badReply = new Set<string>();
  for (const run of input.runs) {
    if (run.status === 'error' && run.error?.code === 'MIIO_ERR_BAD_REPLY' && run.ip && !badReply.has(run.ip)) {
      badReply.add(run.ip);
      out.push({ code: 'SCAN_WARN_BAD_REPLY', ip: run.ip, message: `${run.ip} answered miIO.info with a malformed result (${run.error.message}); its identity and firmware are unknown` });
    }
  }
  return out;
}
