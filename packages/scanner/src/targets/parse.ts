import { ScanError } from '../errors.js';
import { cidrRange, formatIpv4, parseIpv4, rangeSize, type Ipv4Range } from './ipv4.js';

/** One sweep target as the user wrote it, resolved to an inclusive address range. */
export interface Target extends Ipv4Range {
  /** The text as given (`10.0.0.0/24`, `127.0.0.10-20`, `192.168.1.5`). */
  spec: string;
  kind: 'cidr' | 'range' | 'ip';
}

/**
 * Parse a `--target`: a CIDR (`a.b.c.d/n`), a range of the last octet (`a.b.c.d-e`) or of whole
 * addresses (`a.b.c.d-w.x.y.z`), or one address. Throws `SCAN_ERR_TARGET` on anything else.
 */
export function parseTarget(spec: string): Target {
  const text = spec.trim();
  const bad = (why: string) => new ScanError('SCAN_ERR_TARGET', `invalid target "${spec}": ${why}`);
  if (text === '') throw bad('empty');
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const ip = parseIpv4(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (ip === null) throw bad('not an IPv4 address before "/"');
    if (!/^(3[0-2]|[12]?\d)$/.test(prefixText)) throw bad('prefix must be 0-32');
    return { spec: text, kind: 'cidr', ...cidrRange(ip, Number(prefixText)) };
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const first = parseIpv4(text.slice(0, dash));
    if (first === null) throw bad('not an IPv4 address before "-"');
    const rest = text.slice(dash + 1);
    let last: number | null;
    if (/^\d{1,3}$/.test(rest)) {
      const octet = Number(rest);
      if (octet > 255) throw bad('last octet above 255');
      last = ((first & 0xffffff00) | octet) >>> 0;
    } else {
      last = parseIpv4(rest);
      if (last === null) throw bad('range end is neither an octet nor an IPv4 address');
    }
    if (last < first) throw bad('range end before its start');
    return { spec: text, kind: 'range', first, last };
  }
  const ip = parseIpv4(text);
  if (ip === null) throw bad('not an IPv4 address, CIDR or range');
  return { spec: text, kind: 'ip', first: ip, last: ip };
}

/**
 * Addresses a sweep sends to. For a CIDR of /30 or wider the network and broadcast addresses are
 * skipped (no host answers there); explicit ranges and single IPs are taken as written.
 */
export function* targetHosts(t: Target): Generator<number> {
  let { first, last } = t;
  if (t.kind === 'cidr' && rangeSize(t) >= 4) {
    first += 1;
    last -= 1;
  }
  for (let ip = first; ip <= last; ip++) yield ip;
}

/** De-duplicated host list of several targets, in first-seen order. */
export function expandTargets(targets: readonly Target[]): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const t of targets) {
    for (const ip of targetHosts(t)) {
      if (seen.has(ip)) continue;
      seen.add(ip);
      out.push(formatIpv4(ip));
    }
  }
  return out;
}
