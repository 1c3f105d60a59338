/**
 * `--dry-run` planning (issue 8): from the DiscoveryPlan and the options, list every packet and
 * connection a `discover` / `scan` run would make, without opening a socket. Pure: the numbers come
 * from the same constants the sources use (hello-broadcast.ts, hello-sweep.ts, mdns.ts, yeelight.ts,
 * lumi.ts), so a change there changes the plan. test/security/dry-run.test.ts checks the datagram
 * total against the kernel's own counter for a real run.
 *
 * What a plan cannot know before the network answers, it states as an upper bound or a per-device
 * template: the sweep's retry pass only goes to hosts that stayed silent (at most every host once
 * more), and the scan's per-device probes depend on what discovery finds.
 */
import { HELLO_REQUEST } from '@xmscan/miio-probe/codec';
import { DEFAULT_TCP_PORTS, FAMILY_EXTRA_PORTS } from '@xmscan/miio-probe';
import { MDNS_SERVICE_TYPES } from '../mdns/services.js';
import { BROADCAST_RESEND_AT } from '../sources/hello-broadcast.js';
import { MIIO_PORT } from '../sources/hello-sweep.js';
import { LUMI_RESEND_AT } from '../sources/lumi.js';
import { LUMI_GROUP, LUMI_PORT, LUMI_WHOIS } from '../sources/lumi-parse.js';
import { MDNS_REQUERY_AT } from '../sources/mdns.js';
import { YEELIGHT_RESEND_AT } from '../sources/yeelight.js';
import { YEELIGHT_GROUP, YEELIGHT_PORT, YEELIGHT_SEARCH } from '../sources/yeelight-parse.js';
import { cidrRange, formatIpv4, parseIpv4 } from '../targets/ipv4.js';
import type { DiscoveryPlan } from './plan.js';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;

/** One kind of packet discovery sends: `count` datagrams of `bytes` each, from `from` to `to:port`. */
export interface PlannedPacket {
  source: 'mdns' | 'hello-broadcast' | 'hello-sweep' | 'hello-sweep-retry' | 'yeelight' | 'lumi';
  protocol: 'udp';
  kind: 'multicast' | 'broadcast' | 'unicast';
  /** Interface name or bind address the datagram leaves from ('any' when the kernel picks). */
  from: string;
  /** Destination address; for the sweep, the host range (`first-last`, n hosts). */
  to: string;
  port: number;
  /** Bytes of UDP payload per datagram (mDNS: the query for one service type, approximate). */
  bytes: number;
  count: number;
  /** Exact, or an upper bound (`max`) that depends on answers. */
  exact: boolean;
  /** Whether the global --rate cap paces these packets. */
  rateLimited: boolean;
  what: string;
}

/** A probe `scan` makes per discovered device (a template: the hosts are not known before discovery). */
export interface PlannedConnection {
  protocol: 'tcp' | 'udp';
  port: number | 'device-advertised';
  what: string;
  /** When it happens. */
  when: string;
}

export interface DryRunInput {
  timeoutMs: number;
  ratePps: number;
  /** Source names that run (default: all five). */
  sources?: readonly string[] | undefined;
  /** `scan`: what the audit stage would add. Absent for `discover`. */
  scan?: { extraPorts: readonly number[]; tokenFiles: number } | undefined;
}

export interface DryRunPlan {
  command: 'discover' | 'scan';
  interfaces: { name: string; address: string; prefix: number }[];
  targets: string[];
  sweepHosts: { count: number; first: string | null; last: string | null };
  ratePps: number;
  windowMs: number;
  packets: PlannedPacket[];
  totals: {
    /** Datagrams certainly sent (the retry pass excluded). */
    datagrams: number;
    /** Upper bound including the retry pass. */
    datagramsMax: number;
    bytes: number;
    /** Rate-limited datagrams / rate, ms: how long the first sweep pass takes at the cap. */
    firstPassMs: number;
  };
  perDevice: PlannedConnection[];
  notes: string[];
}

const MDNS_HEADER = 12;
/** Query size for one PTR question `_type._proto.local` (12-byte header + QNAME + QTYPE/QCLASS). */
function mdnsQueryBytes(type: string): number {
  const labels = `${type}.local`.split('.');
  return MDNS_HEADER + labels.reduce((n, l) => n + 1 + l.length, 0) + 1 + 4;
}

const ALL_SOURCES = ['mdns', 'hello-broadcast', 'hello-sweep', 'yeelight', 'lumi'] as const;

/** Sweep retry/grace as hello-sweep.ts computes them from the window. */
function sweepRetryFits(hosts: number, input: DryRunInput): boolean {
  const retryDelay = Math.min(300, Math.round(input.timeoutMs / 5));
  return (hosts * 1000) / input.ratePps + retryDelay < input.timeoutMs;
}

export function planDryRun(plan: DiscoveryPlan, input: DryRunInput): DryRunPlan {
  const sources = new Set(input.sources ?? ALL_SOURCES);
  const packets: PlannedPacket[] = [];
  const notes = [...plan.notes];
  // Multicast senders open one socket per chosen interface, or one on the default route when none.
  const mcastFrom = plan.interfaces.length > 0 ? plan.interfaces.map((i) => `${i.name} (${i.address})`) : ['any'];

  if (sources.has('mdns')) {
    for (const from of mcastFrom) {
      for (const type of MDNS_SERVICE_TYPES) {
        packets.push({
          source: 'mdns',
          protocol: 'udp',
          kind: 'multicast',
          from,
          to: MDNS_GROUP,
          port: MDNS_PORT,
          bytes: mdnsQueryBytes(type),
          count: 1 + MDNS_REQUERY_AT.length,
          exact: true,
          rateLimited: false,
          what: `mDNS PTR query ${type}.local (browse start + ${MDNS_REQUERY_AT.length} re-query)`,
        });
      }
    }
  }
  if (sources.has('hello-broadcast')) {
    for (const i of plan.interfaces.filter((x) => !x.internal && x.prefix < 31)) {
      const directed = formatIpv4(cidrRange(parseIpv4(i.address)!, i.prefix).last);
      for (const dest of [directed, '255.255.255.255']) {
        packets.push({
          source: 'hello-broadcast',
          protocol: 'udp',
          kind: 'broadcast',
          from: `${i.name} (${i.address})`,
          to: dest,
          port: MIIO_PORT,
          bytes: HELLO_REQUEST.length,
          count: BROADCAST_RESEND_AT.length,
          exact: true,
          rateLimited: true,
          what: 'miIO hello (read-only handshake, protocols.md §1.1)',
        });
      }
    }
  }
  const hosts = plan.sweepHosts;
  const range = hosts.length > 0 ? `${hosts[0]}-${hosts[hosts.length - 1]} (${hosts.length} hosts)` : '';
  if (sources.has('hello-sweep') && hosts.length > 0) {
    packets.push({
      source: 'hello-sweep',
      protocol: 'udp',
      kind: 'unicast',
      from: 'any',
      to: range,
      port: MIIO_PORT,
      bytes: HELLO_REQUEST.length,
      count: hosts.length,
      exact: true,
      rateLimited: true,
      what: 'miIO hello to each host of the sweep',
    });
    if (sweepRetryFits(hosts.length, input)) {
      packets.push({
        source: 'hello-sweep-retry',
        protocol: 'udp',
        kind: 'unicast',
        from: 'any',
        to: range,
        port: MIIO_PORT,
        bytes: HELLO_REQUEST.length,
        count: hosts.length,
        exact: false,
        rateLimited: true,
        what: 'miIO hello again to the hosts that stayed silent (at most one each, inside the window)',
      });
    } else notes.push('the first sweep pass outlasts the window: no retry pass (a longer --timeout buys it back)');
    notes.push(`the kernel sends ARP requests for sweep hosts it has no neighbour entry for (up to ${hosts.length} hosts, ~3 tries each)`);
  }
  for (const [name, group, port, payload, resendAt, what] of [
    ['yeelight', YEELIGHT_GROUP, YEELIGHT_PORT, YEELIGHT_SEARCH, YEELIGHT_RESEND_AT, 'Yeelight M-SEARCH wifi_bulb (protocols.md §5.1)'],
    ['lumi', LUMI_GROUP, LUMI_PORT, LUMI_WHOIS, LUMI_RESEND_AT, 'Aqara/Lumi {"cmd":"whois"} (protocols.md §5.3)'],
  ] as const) {
    if (!sources.has(name)) continue;
    for (const from of mcastFrom) {
      packets.push({ source: name, protocol: 'udp', kind: 'multicast', from, to: group, port, bytes: payload.length, count: resendAt.length, exact: true, rateLimited: true, what });
    }
  }

  const datagrams = packets.filter((p) => p.exact).reduce((n, p) => n + p.count, 0);
  const datagramsMax = packets.reduce((n, p) => n + p.count, 0);
  const bytes = packets.filter((p) => p.exact).reduce((n, p) => n + p.count * p.bytes, 0);
  const limitedFirst = packets.filter((p) => p.exact && p.rateLimited).reduce((n, p) => n + p.count, 0);

  const perDevice: PlannedConnection[] = [];
  if (input.scan) {
    const tcp = [...new Set([...DEFAULT_TCP_PORTS, ...input.scan.extraPorts])].sort((a, b) => a - b);
    const family = [...new Set(Object.values(FAMILY_EXTRA_PORTS).flat())].filter((p) => !tcp.includes(p)).sort((a, b) => a - b);
    for (const port of tcp) perDevice.push({ protocol: 'tcp', port, what: 'TCP connect, passive banner read, close', when: 'every device, as soon as its address is seen' });
    for (const port of family) perDevice.push({ protocol: 'tcp', port, what: 'TCP connect, passive banner read, close', when: 'devices of a family that uses it (vacuum, gateway, camera, router)' });
    perDevice.push({ protocol: 'udp', port: MIIO_PORT, what: 'miIO hello (up to 2 tries)', when: 'devices that speak miIO' });
    perDevice.push({
      protocol: 'udp',
      port: MIIO_PORT,
      what: 'encrypted miIO.info (read-only, up to 2 tries)',
      when: `devices whose token you gave (${input.scan.tokenFiles} token file(s)) or whose hello leaked one`,
    });
    perDevice.push({ protocol: 'tcp', port: 55443, what: 'Yeelight get_prop (read-only)', when: 'Yeelight bulbs / port 55443 open' });
    perDevice.push({ protocol: 'udp', port: 9898, what: 'Lumi gateway read (read-only)', when: 'Aqara/Lumi gateways that answered whois' });
    perDevice.push({ protocol: 'tcp', port: 80, what: 'HTTP GET /cgi-bin/luci/api/xqsystem/init_info (read-only)', when: 'Xiaomi routers with port 80 open' });
    perDevice.push({ protocol: 'tcp', port: 'device-advertised', what: 'HTTP GET Valetudo version (read-only)', when: 'robots advertising _valetudo._tcp' });
  }

  return {
    command: input.scan ? 'scan' : 'discover',
    interfaces: plan.interfaces.map((i) => ({ name: i.name, address: i.address, prefix: i.prefix })),
    targets: plan.targets.map((t) => t.spec),
    sweepHosts: { count: hosts.length, first: hosts[0] ?? null, last: hosts[hosts.length - 1] ?? null },
    ratePps: input.ratePps,
    windowMs: input.timeoutMs,
    packets,
    totals: { datagrams, datagramsMax, bytes, firstPassMs: Math.round((limitedFirst * 1000) / input.ratePps) },
    perDevice,
    notes,
  };
}

/** Human-readable plan (the CLI's default; `--json` prints the object). */
export function renderDryRun(p: DryRunPlan): string {
  const lines: string[] = [];
  lines.push(`DRY RUN (${p.command}): nothing was sent. This is what the run would send.`);
  lines.push(`interfaces: ${p.interfaces.map((i) => `${i.name} ${i.address}/${i.prefix}`).join(', ') || '(none)'}`);
  lines.push(`targets: ${p.targets.join(', ') || '(default: attached subnets)'}`);
  lines.push(`sweep: ${p.sweepHosts.count} host(s)${p.sweepHosts.first ? ` ${p.sweepHosts.first} .. ${p.sweepHosts.last}` : ''}; rate cap ${p.ratePps} pps; window ${p.windowMs} ms`);
  lines.push('');
  lines.push('packets (UDP):');
  for (const k of p.packets) {
    lines.push(
      `  ${(k.exact ? '' : '≤') + String(k.count)}× ${k.source.padEnd(17)} ${k.kind.padEnd(9)} ${k.from} -> ${k.to}:${k.port}  ${k.bytes} B  ${k.what}${k.rateLimited ? '' : ' [not rate-capped]'}`,
    );
  }
  lines.push(`total: ${p.totals.datagrams} datagram(s), ${p.totals.bytes} B (≤ ${p.totals.datagramsMax} with the retry pass); first pass ≈ ${p.totals.firstPassMs} ms at the cap`);
  if (p.perDevice.length > 0) {
    lines.push('');
    lines.push('per discovered device (scan):');
    for (const c of p.perDevice) lines.push(`  ${c.protocol}/${c.port}  ${c.what} — ${c.when}`);
  }
  if (p.notes.length > 0) {
    lines.push('');
    for (const n of p.notes) lines.push(`note: ${n}`);
  }
  return lines.join('\n') + '\n';
}
