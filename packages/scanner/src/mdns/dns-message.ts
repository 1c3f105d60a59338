/**
 * A lenient, bounds-checked DNS message decoder (and a small encoder for tests and fixtures),
 * limited to what discovery needs: PTR, SRV, TXT and A. Pure: bytes in, data out, never throws.
 *
 * Why our own: multicast-dns drops a whole mDNS reply when dns-packet rejects any part of it, and
 * some real firmware sends a TXT rdata without its leading length byte (protocols.md §4.1, the
 * `poch` quirk; toolchain.md). Here every record is bounded by its RDLENGTH, so one broken rdata
 * costs only that record's structure, and a TXT that does not parse is kept whole as raw bytes.
 */

export const DNS_TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;

export type RecordData =
  | { kind: 'A'; address: string }
  | { kind: 'PTR'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | {
      kind: 'TXT';
      /** Character-strings as parsed; when `malformed`, the whole rdata as one entry. */
      strings: Buffer[];
      /** The length bytes did not add up to RDLENGTH (the missing-length-byte quirk). */
      malformed: boolean;
      raw: Buffer;
    }
  | { kind: 'OTHER'; raw: Buffer };

export interface DnsRecord {
  name: string;
  type: number;
  /** Class without the mDNS cache-flush bit. */
  class: number;
  cacheFlush: boolean;
  ttl: number;
  data: RecordData;
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface LenientMessage {
  id: number;
  flags: number;
  isResponse: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  /** What could not be decoded; empty for a clean message. Decoding stops at the first structural fault. */
  problems: string[];
}

const MAX_NAME_LENGTH = 255;
/** Compression pointers a single name may follow; real names need a handful. */
const MAX_POINTER_HOPS = 32;

class Cursor {
  constructor(
    readonly buf: Buffer,
    public off: number,
  ) {}
  need(n: number): boolean {
    return this.off + n <= this.buf.length;
  }
}

/** Read a (possibly compressed) name at `off`; returns the name and the offset after it in place. */
function readName(buf: Buffer, start: number): { name: string; next: number } | null {
  const labels: string[] = [];
  let off = start;
  let next = -1;
  let hops = 0;
  let length = 0;
  for (;;) {
    if (off >= buf.length) return null;
    const len = buf[off]!;
    if (len === 0) {
      off += 1;
      break;
    }
    const top = len & 0xc0;
    if (top === 0xc0) {
      if (off + 2 > buf.length) return null;
      const ptr = ((len & 0x3f) << 8) | buf[off + 1]!;
      if (next < 0) next = off + 2;
      // Pointers must go backwards; forward or self pointers are how loops are built.
      if (ptr >= off || ++hops > MAX_POINTER_HOPS) return null;
      off = ptr;
      continue;
    }
    if (top !== 0) return null; // 0x40 / 0x80 label types are obsolete
    if (off + 1 + len > buf.length) return null;
    length += len + 1;
    if (length > MAX_NAME_LENGTH) return null;
    labels.push(buf.toString('utf8', off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { name: labels.join('.'), next: next >= 0 ? next : off };
}

function decodeRdata(buf: Buffer, type: number, start: number, end: number): RecordData | null {
  const raw = Buffer.from(buf.subarray(start, end));
  const rdlen = end - start;
  switch (type) {
    case DNS_TYPE.A:
      if (rdlen !== 4) return null;
      return { kind: 'A', address: `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}` };
    case DNS_TYPE.PTR: {
      const n = readName(buf, start);
      if (n === null || n.next > end) return null;
      return { kind: 'PTR', target: n.name };
    }
    case DNS_TYPE.SRV: {
      if (rdlen < 7) return null;
      const n = readName(buf, start + 6);
      if (n === null || n.next > end) return null;
      return {
        kind: 'SRV',
        priority: buf.readUInt16BE(start),
        weight: buf.readUInt16BE(start + 2),
        port: buf.readUInt16BE(start + 4),
        target: n.name,
      };
    }
    case DNS_TYPE.TXT: {
      const strings: Buffer[] = [];
      let off = start;
      while (off < end) {
        const len = buf[off]!;
        if (off + 1 + len > end) {
          // A length byte that overruns RDLENGTH: keep the whole rdata, as one string.
          return { kind: 'TXT', strings: [raw], malformed: true, raw };
        }
        strings.push(Buffer.from(buf.subarray(off + 1, off + 1 + len)));
        off += 1 + len;
      }
      return { kind: 'TXT', strings, malformed: false, raw };
    }
    default:
      return { kind: 'OTHER', raw };
  }
}

function readRecord(c: Cursor, problems: string[]): DnsRecord | null {
  const at = c.off;
  const n = readName(c.buf, c.off);
  if (n === null) {
    problems.push(`bad record name at offset ${at}`);
    return null;
  }
  c.off = n.next;
  if (!c.need(10)) {
    problems.push(`record header truncated at offset ${c.off}`);
    return null;
  }
  const type = c.buf.readUInt16BE(c.off);
  const klass = c.buf.readUInt16BE(c.off + 2);
  const ttl = c.buf.readUInt32BE(c.off + 4);
  const rdlen = c.buf.readUInt16BE(c.off + 8);
  c.off += 10;
  if (!c.need(rdlen)) {
    problems.push(`rdata of ${n.name} overruns the packet`);
    return null;
  }
  const start = c.off;
  c.off += rdlen;
  let data = decodeRdata(c.buf, type, start, c.off);
  if (data === null) {
    problems.push(`bad rdata for type ${type} of ${n.name}`);
    data = { kind: 'OTHER', raw: Buffer.from(c.buf.subarray(start, c.off)) };
  }
  return { name: n.name, type, class: klass & 0x7fff, cacheFlush: (klass & 0x8000) !== 0, ttl, data };
}

/** Decode a DNS/mDNS message as far as it is well-formed. Never throws. */
export function decodeLenient(input: Uint8Array): LenientMessage {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const msg: LenientMessage = {
    id: 0,
    flags: 0,
    isResponse: false,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    problems: [],
  };
  if (buf.length < 12) {
    msg.problems.push(`message of ${buf.length} bytes is shorter than the 12-byte header`);
    return msg;
  }
  msg.id = buf.readUInt16BE(0);
  msg.flags = buf.readUInt16BE(2);
  msg.isResponse = (msg.flags & 0x8000) !== 0;
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  const c = new Cursor(buf, 12);
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(buf, c.off);
    if (n === null || n.next + 4 > buf.length) {
      msg.problems.push(`question ${i} truncated`);
      return msg;
    }
    msg.questions.push({ name: n.name, type: buf.readUInt16BE(n.next), class: buf.readUInt16BE(n.next + 2) & 0x7fff });
    c.off = n.next + 4;
  }
  const sections = [msg.answers, msg.authorities, msg.additionals];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const rec = readRecord(c, msg.problems);
      if (rec === null) return msg;
      sections[s]!.push(rec);
    }
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Encoder (no name compression): builds fixtures, including deliberately broken TXT rdata.

export type EncodableData =
  | { kind: 'A'; address: string }
  | { kind: 'PTR'; target: string }
  | { kind: 'SRV'; priority?: number; weight?: number; port: number; target: string }
  | { kind: 'TXT'; strings: Array<string | Buffer> }
  /** Raw rdata bytes, written as given (e.g. a TXT without its length byte). */
  | { kind: 'RAW'; type: number; raw: Buffer };

export interface EncodableRecord {
  name: string;
  ttl?: number;
  cacheFlush?: boolean;
  data: EncodableData;
}

export interface EncodableMessage {
  id?: number;
  response?: boolean;
  questions?: Array<{ name: string; type: number }>;
  answers?: EncodableRecord[];
  authorities?: EncodableRecord[];
  additionals?: EncodableRecord[];
}

export function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const chunks: Buffer[] = [];
  for (const label of parts) {
    const b = Buffer.from(label, 'utf8');
    if (b.length > 63) throw new RangeError(`label longer than 63 bytes: ${label}`);
    chunks.push(Buffer.from([b.length]), b);
  }
  chunks.push(Buffer.from([0]));
  return Buffer.concat(chunks);
}

function encodeRdata(d: EncodableData): { type: number; rdata: Buffer } {
  switch (d.kind) {
    case 'A':
      return { type: DNS_TYPE.A, rdata: Buffer.from(d.address.split('.').map(Number)) };
    case 'PTR':
      return { type: DNS_TYPE.PTR, rdata: encodeName(d.target) };
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(d.priority ?? 0, 0);
      head.writeUInt16BE(d.weight ?? 0, 2);
      head.writeUInt16BE(d.port, 4);
      return { type: DNS_TYPE.SRV, rdata: Buffer.concat([head, encodeName(d.target)]) };
    }
    case 'TXT': {
      const parts = d.strings.map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s));
      const chunks = parts.length === 0 ? [Buffer.from([0])] : parts.flatMap((p) => [Buffer.from([p.length]), p]);
      return { type: DNS_TYPE.TXT, rdata: Buffer.concat(chunks) };
    }
    case 'RAW':
      return { type: d.type, rdata: d.raw };
  }
}

function encodeRecord(r: EncodableRecord): Buffer {
  const { type, rdata } = encodeRdata(r.data);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE((r.cacheFlush ? 0x8000 : 0) | 1, 2);
  head.writeUInt32BE(r.ttl ?? 120, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(r.name), head, rdata]);
}

export function encodeMessage(m: EncodableMessage): Buffer {
  const q = m.questions ?? [];
  const an = m.answers ?? [];
  const ns = m.authorities ?? [];
  const ar = m.additionals ?? [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(m.id ?? 0, 0);
  head.writeUInt16BE(m.response === false ? 0 : 0x8400, 2); // QR + AA, as mDNS responders set
  head.writeUInt16BE(q.length, 4);
  head.writeUInt16BE(an.length, 6);
  head.writeUInt16BE(ns.length, 8);
  head.writeUInt16BE(ar.length, 10);
  const qs = q.map((x) => {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(x.type, 0);
    t.writeUInt16BE(1, 2);
    return Buffer.concat([encodeName(x.name), t]);
  });
  return Buffer.concat([head, ...qs, ...an.map(encodeRecord), ...ns.map(encodeRecord), ...ar.map(encodeRecord)]);
}
