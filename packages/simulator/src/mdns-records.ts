import { type DeviceProfile, type MdnsAdvert, compactMac, miioInstanceName } from './profile.js';

/**
 * DNS-SD record sets for a simulated device (pure), plus a tiny DNS wire encoder/decoder used only
 * by the device whose firmware sends the malformed TXT (protocols.md §4.1), which no library emits.
 */

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
export const SERVICES_META = '_services._dns-sd._udp.local';

export type SrvData = { port: number; target: string; priority?: number; weight?: number };

/** One resource record in the shape dns-packet (hence bonjour-service) accepts. */
export type MdnsRecord =
  | { name: string; type: 'PTR'; ttl: number; data: string }
  | { name: string; type: 'SRV'; ttl: number; data: SrvData }
  | { name: string; type: 'TXT'; ttl: number; data: Buffer[] }
  | { name: string; type: 'A'; ttl: number; data: string };

export interface ServiceRecords {
  type: string;
  instance: string;
  fqdn: string;
  /** PTR <type>.local -> fqdn */
  ptr: MdnsRecord;
  /** PTR _services._dns-sd._udp.local -> <type>.local */
  meta: MdnsRecord;
  srv: MdnsRecord;
  /** Well-formed TXT; for a malformed advert see `rawTxt`. */
  txt: MdnsRecord;
  /** Raw TXT rdata without length bytes (the firmware quirk), or null. */
  rawTxt: Buffer | null;
}

export interface DeviceMdns {
  /** Host label + `.local`, unique per device, so a browser learns each device's own address. */
  host: string;
  a: MdnsRecord;
  services: ServiceRecords[];
}

/** The device's mDNS host name: explicit, else the miIO instance name (SRV target is `<same>.local`, §4.1). */
export function deviceHostLabel(p: DeviceProfile): string {
  if (p.hostname) return p.hostname;
  if (p.miio || p.mdns?.some((m) => m.type === '_miio._udp')) return miioInstanceName(p.model, p.did);
  return `xiaomi-${compactMac(p.mac).slice(6)}`;
}

function defaultInstance(p: DeviceProfile, m: MdnsAdvert): string {
  if (m.type === '_miio._udp') return miioInstanceName(p.model, p.did);
  return `${p.model.replace(/\./g, '-')}-${compactMac(p.mac).slice(8)}`;
}

function defaultPort(p: DeviceProfile, m: MdnsAdvert): number {
  if (m.type === '_miio._udp') return 54321;
  return p.tcp?.find((t) => t.service === 'http')?.port ?? p.tcp?.[0]?.port ?? 80;
}

function defaultTxt(p: DeviceProfile, m: MdnsAdvert): Record<string, string> {
  // `epoch=1`, `mac=<12 lowercase hex>` (§4.1).
  if (m.type === '_miio._udp') return { epoch: '1', mac: compactMac(p.mac) };
  return {};
}

function txtStrings(txt: Record<string, string>): Buffer[] {
  const out = Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`, 'utf8'));
  // RFC 6763 §6.1: an empty TXT record is one empty string.
  return out.length > 0 ? out : [Buffer.alloc(0)];
}

/** Build every record a device advertises. `address` goes into the A record of its own host. */
export function buildDeviceMdns(p: DeviceProfile, address: string): DeviceMdns {
  const host = `${deviceHostLabel(p)}.local`;
  const services = (p.mdns ?? []).map((m): ServiceRecords => {
    const typeFqdn = `${m.type}.local`;
    const instance = m.name ?? defaultInstance(p, m);
    const fqdn = `${instance}.${typeFqdn}`;
    const txt = m.txt ?? defaultTxt(p, m);
    return {
      type: m.type,
      instance,
      fqdn,
      ptr: { name: typeFqdn, type: 'PTR', ttl: 4500, data: fqdn },
      meta: { name: SERVICES_META, type: 'PTR', ttl: 4500, data: typeFqdn },
      srv: { name: fqdn, type: 'SRV', ttl: 120, data: { port: m.port ?? defaultPort(p, m), target: host, priority: 0, weight: 0 } },
      txt: { name: fqdn, type: 'TXT', ttl: 4500, data: txtStrings(txt) },
      // zhimi.airpurifier.m1 firmware: `epoch=0:mac=<12hex>` with no leading length byte (§4.1).
      rawTxt: m.malformedTxt ? Buffer.from(`epoch=0:mac=${compactMac(p.mac)}`, 'latin1') : null,
    };
  });
  return { host, a: { name: host, type: 'A', ttl: 120, data: address }, services };
}

/** Every record of the set, for a full announcement. */
export function allRecords(d: DeviceMdns): MdnsRecord[] {
  const out: MdnsRecord[] = [];
  for (const s of d.services) out.push(s.ptr, s.srv, s.txt, s.meta);
  if (d.services.length > 0) out.push(d.a);
  return out;
}

// ------------------------------------------------------------------------------------ wire codec

/** A question of an mDNS query (RFC 6762 §5). `qu`: unicast-response bit. */
export interface MdnsQuestion {
  name: string;
  type: number;
  qu: boolean;
}

export const RR_TYPE = { A: 1, PTR: 12, TXT: 16, SRV: 33, ANY: 255 } as const;
const MAX_NAME_LENGTH = 255;
const MAX_POINTER_HOPS = 16;

export class MdnsWireError extends Error {
  readonly code = 'SIM_ERR_MDNS_WIRE';
  constructor(message: string) {
    super(message);
    this.name = 'MdnsWireError';
  }
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'utf8');
    if (b.length > 63) throw new MdnsWireError(`label "${l}" longer than 63 bytes`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** RDATA of one record; `rawTxt` replaces a TXT's RDATA verbatim (the malformed-firmware case). */
function encodeRdata(r: MdnsRecord, rawTxt: Buffer | null): Buffer {
  switch (r.type) {
    case 'PTR':
      return encodeName(r.data);
    case 'A':
      return Buffer.from(r.data.split('.').map((x) => Number(x)));
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.data.priority ?? 0, 0);
      head.writeUInt16BE(r.data.weight ?? 0, 2);
      head.writeUInt16BE(r.data.port, 4);
      return Buffer.concat([head, encodeName(r.data.target)]);
    }
    case 'TXT':
      if (rawTxt) return rawTxt;
      return Buffer.concat(r.data.flatMap((s) => [Buffer.from([s.length]), s]));
  }
}

/**
 * Encode an mDNS response (RFC 6762 §18: id 0, QR+AA). Names are not compressed (legal, and it
 * keeps this encoder small). Unique records (SRV/TXT/A) carry the cache-flush bit.
 */
export function encodeMdnsResponse(answers: MdnsRecord[], additionals: MdnsRecord[] = [], rawTxt: Map<string, Buffer> = new Map()): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(0x8400, 2);
  header.writeUInt16BE(0, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(additionals.length, 10);
  const parts: Buffer[] = [header];
  for (const r of [...answers, ...additionals]) {
    const rdata = encodeRdata(r, r.type === 'TXT' ? (rawTxt.get(r.name.toLowerCase()) ?? null) : null);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(RR_TYPE[r.type], 0);
    fixed.writeUInt16BE(r.type === 'PTR' ? 0x0001 : 0x8001, 2);
    fixed.writeUInt32BE(r.ttl >>> 0, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    parts.push(encodeName(r.name), fixed, rdata);
  }
  return Buffer.concat(parts);
}

function decodeName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let hops = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) throw new MdnsWireError('name runs past the end of the packet');
    const len = buf[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new MdnsWireError('truncated compression pointer');
      if (++hops > MAX_POINTER_HOPS) throw new MdnsWireError('compression pointer loop');
      if (next === -1) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new MdnsWireError(`bad label length byte 0x${len.toString(16)}`);
    if (pos + 1 + len > buf.length) throw new MdnsWireError('label runs past the end of the packet');
    length += len + 1;
    if (length > MAX_NAME_LENGTH) throw new MdnsWireError('name longer than 255 bytes');
    labels.push(buf.toString('utf8', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next: next === -1 ? pos : next };
}

/** Decode the questions of an mDNS query; responses and junk throw `MdnsWireError`. */
export function decodeMdnsQuery(datagram: Uint8Array): MdnsQuestion[] {
  const buf = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (buf.length < 12) throw new MdnsWireError('shorter than a DNS header');
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) throw new MdnsWireError('not a query');
  const qd = buf.readUInt16BE(4);
  const out: MdnsQuestion[] = [];
  let pos = 12;
  for (let i = 0; i < qd; i++) {
    const { name, next } = decodeName(buf, pos);
    if (next + 4 > buf.length) throw new MdnsWireError('truncated question');
    const type = buf.readUInt16BE(next);
    const cls = buf.readUInt16BE(next + 2);
    out.push({ name, type, qu: (cls & 0x8000) !== 0 });
    pos = next + 4;
  }
  return out;
}

/**
 * What a device answers for one question, the way a responder does: PTR on its service type (or the
 * DNS-SD meta query) gets the PTR with SRV/TXT/A as additionals; SRV/TXT/A/ANY on its own names get
 * those records. Empty when the question is not about this device.
 */
export function answerQuestion(d: DeviceMdns, q: MdnsQuestion): { answers: MdnsRecord[]; additionals: MdnsRecord[] } {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  const any = q.type === RR_TYPE.ANY;
  const answers: MdnsRecord[] = [];
  const additionals: MdnsRecord[] = [];
  if (name === SERVICES_META && (q.type === RR_TYPE.PTR || any)) {
    const seen = new Set<string>();
    for (const s of d.services) {
      if (seen.has(s.type)) continue;
      seen.add(s.type);
      answers.push(s.meta);
    }
    return { answers, additionals };
  }
  for (const s of d.services) {
    if (name === s.ptr.name.toLowerCase() && (q.type === RR_TYPE.PTR || any)) {
      answers.push(s.ptr);
      additionals.push(s.srv, s.txt);
    } else if (name === s.fqdn.toLowerCase()) {
      if (q.type === RR_TYPE.SRV || any) answers.push(s.srv);
      if (q.type === RR_TYPE.TXT || any) answers.push(s.txt);
      if (q.type === RR_TYPE.SRV || any) additionals.push(d.a);
    }
  }
  if (name === d.host.toLowerCase() && (q.type === RR_TYPE.A || any)) answers.push(d.a);
  if (additionals.some((r) => r.type === 'SRV') && !additionals.includes(d.a)) additionals.push(d.a);
  return { answers, additionals };
}
