/** Pure IPv4 helpers over unsigned 32-bit integers. */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parse dotted-quad IPv4; null when not exactly four decimal octets 0-255 (no leading zeros). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function formatIpv4(n: number): string {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

/** Netmask of a prefix length as an unsigned integer (/0 → 0). */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Prefix length of a dotted netmask such as 255.255.255.0; null when not contiguous. */
export function maskToPrefix(mask: string): number | null {
  const n = parseIpv4(mask);
  if (n === null) return null;
  for (let p = 0; p <= 32; p++) if (prefixMask(p) === n) return p;
  return null;
}

export interface Ipv4Range {
  /** First address, inclusive. */
  first: number;
  /** Last address, inclusive. */
  last: number;
}

export function rangeSize(r: Ipv4Range): number {
  return r.last - r.first + 1;
}

export function cidrRange(network: number, prefix: number): Ipv4Range {
  const mask = prefixMask(prefix);
  const first = (network & mask) >>> 0;
  const last = (first | (~mask >>> 0)) >>> 0;
  return { first, last };
}

export function inRange(ip: number, r: Ipv4Range): boolean {
  return ip >= r.first && ip <= r.last;
}
