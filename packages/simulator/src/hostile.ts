import { randomBytes } from 'node:crypto';
import { HEADER_LENGTH, Token, decodePacket, decodePayload, encodeHelloReply, encodePacket } from '@xmscan/miio-probe/codec';
import { type MdnsRecord, encodeMdnsResponse } from './mdns-records.js';
import { type DeviceProfile, type HostileProfile, compactMac } from './profile.js';

/**
 * Pure builders of the hostile simulator (issue 8): the datagrams and streams a device sends when
 * it attacks the scanner instead of being audited. The sockets live in hostile-runtime.ts.
 */

export const HOSTILE_DEFAULTS = {
  floodPerSecond: 12_000,
  floodSeconds: 3,
  deepLevels: 100_000,
  mdnsRecords: 4_000,
  streamBytes: 100 * 1024 * 1024,
  trickleBanner: 'SSH-2.0-OpenSSH_7.4 trickle\r\n',
} as const;

/** Largest UDP payload over IPv4: 65 535 − 20 (IP) − 8 (UDP). */
export const MAX_UDP_PAYLOAD = 65_507;
/** RFC 6762 §17: mDNS messages up to 9 000 bytes. */
const MDNS_PACKET_BUDGET = 8_800;

export function hostileSettings(h: HostileProfile) {
  return {
    floodPerSecond: h.floodPerSecond ?? HOSTILE_DEFAULTS.floodPerSecond,
    floodSeconds: h.floodSeconds ?? HOSTILE_DEFAULTS.floodSeconds,
    deepLevels: h.deepLevels ?? HOSTILE_DEFAULTS.deepLevels,
    mdnsRecords: h.mdnsRecords ?? 0,
  };
}

/** The honest hello reply of the device (hidden token), what a flood repeats. */
export function floodHelloReply(p: DeviceProfile, stamp: number): Buffer {
  return encodeHelloReply({ deviceId: p.did, stamp, tokenField: 'ff' });
}

/** The hello reply of a deep-info device: the token leaked, so a scanner goes on to `miIO.info`. */
export function leakingHelloReply(p: DeviceProfile, stamp: number): Buffer {
  return encodeHelloReply({ deviceId: p.did, stamp, tokenField: Token.fromHex(p.token).bytes() });
}

/** 65 507 bytes: a miIO-looking header claiming 0xffff bytes, then junk. */
export function jumboDatagram(p: DeviceProfile): Buffer {
  const buf = Buffer.alloc(MAX_UDP_PAYLOAD, 0x41);
  buf.writeUInt16BE(0x2131, 0);
  buf.writeUInt16BE(0xffff, 2);
  buf.writeUInt32BE(p.did >>> 0, 8);
  return buf;
}

/** 1-1 024 random bytes. */
export function randomReply(): Buffer {
  const n = 1 + (randomBytes(2).readUInt16BE(0) % 1024);
  return randomBytes(n);
}

/** The request id of an encrypted miIO request, or null (wrong token, junk). */
export function requestOf(token: Token, datagram: Buffer): { id: number; method: string } | null {
  try {
    const pkt = decodePacket(token, datagram);
    if (!pkt.payload) return null;
    const v = decodePayload(pkt.payload).value as Record<string, unknown> | null;
    if (v === null || typeof v !== 'object' || typeof v['id'] !== 'number') return null;
    return { id: v['id'], method: typeof v['method'] === 'string' ? v['method'] : '' };
  } catch {
    return null;
  }
}

/**
 * How many `[`…`]` levels fit one datagram around `{"id":N,"result":…}`. 100 000 levels need
 * 200 000 bytes, three times what UDP can carry, so a miIO reply is capped at ~32 700 levels.
 */
export function deepLevelsThatFit(wanted: number, id: number): number {
  const wrapper = `{"id":${id},"result":}`.length;
  // AES-CBC pads to the next 16 bytes (at least one byte of padding).
  const room = Math.floor((MAX_UDP_PAYLOAD - HEADER_LENGTH) / 16) * 16 - 1 - wrapper;
  return Math.max(1, Math.min(wanted, Math.floor(room / 2)));
}

/** `miIO.info` answered with a result that is nothing but nesting (deep as one datagram allows). */
export function deepInfoReply(p: DeviceProfile, stamp: number, id: number, wantedLevels: number): { packet: Buffer; levels: number } {
  const levels = deepLevelsThatFit(wantedLevels, id);
  const payload = Buffer.from(`{"id":${id},"result":${'['.repeat(levels)}${']'.repeat(levels)}}`, 'utf8');
  return { packet: encodePacket(Token.fromHex(p.token), { deviceId: p.did, stamp, payload }), levels };
}

/**
 * `records` mDNS records (PTR + SRV + TXT + A per fake `_miio._udp` instance, all pointing at the
 * device's own address), packed into as few ≤ 8 800-byte responses as they fit.
 */
export function mdnsFloodPackets(p: DeviceProfile, address: string, records: number): Buffer[] {
  const host = `xmsim-hostile-${compactMac(p.mac).slice(-6)}.local`;
  const all: MdnsRecord[] = [];
  const instances = Math.max(1, Math.ceil(records / 4));
  for (let i = 0; i < instances && all.length < records; i++) {
    const fqdn = `zhimi-airpurifier-ma4_miio${100_000 + i}._miio._udp.local`;
    const mac = (0x04cf8c000000 + i).toString(16).padStart(12, '0');
    all.push({ name: '_miio._udp.local', type: 'PTR', ttl: 4500, data: fqdn });
    all.push({ name: fqdn, type: 'SRV', ttl: 120, data: { port: 54321, target: host } });
    all.push({ name: fqdn, type: 'TXT', ttl: 4500, data: [Buffer.from(`mac=${mac}`), Buffer.from('epoch=1')] });
    all.push({ name: host, type: 'A', ttl: 120, data: address });
  }
  const packets: Buffer[] = [];
  let batch: MdnsRecord[] = [];
  let size = 12; // header; names are not compressed, so a record's size does not depend on its neighbours
  for (const r of all.slice(0, records)) {
    const own = encodeMdnsResponse([r]).length - 12;
    if (batch.length > 0 && size + own > MDNS_PACKET_BUDGET) {
      packets.push(encodeMdnsResponse(batch));
      batch = [];
      size = 12;
    }
    batch.push(r);
    size += own;
  }
  if (batch.length > 0) packets.push(encodeMdnsResponse(batch));
  return packets;
}

/** The head of the 100 MiB HTTP answer: looks like init_info JSON that never ends. */
export function streamHead(bytes: number): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`, 'latin1');
}

/** Body chunk `index` of the stream: a JSON-looking start, then filler. */
export function streamChunk(index: number, size: number): Buffer {
  const buf = Buffer.alloc(size, 0x20);
  if (index === 0) buf.write('{"code":0,"hardware":"R3","romversion":"', 0, 'latin1');
  else buf.fill('A');
  return buf;
}
