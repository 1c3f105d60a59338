import { ScanError } from '../errors.js';
import { cidrRange, formatIpv4, parseIpv4, rangeSize, type Ipv4Range } from './ipv4.js';
import type { Target } from './parse.js';

/**
 * Address blocks a home-LAN scanner may touch without `--allow-public`: RFC 1918 private,
 * loopback and IPv4 link-local (protocols.md §9: the scanner stays on the user's own LAN).
 */
export const ALLOWED_BLOCKS: ReadonlyArray<{ name: string; range: Ipv4Range }> = [
  { name: '10.0.0.0/8', range: cidrRange(parseIpv4('10.0.0.0')!, 8) },
  { name: '172.16.0.0/12', range: cidrRange(parseIpv4('172.16.0.0')!, 12) },
  { name: '192.168.0.0/16', range: cidrRange(parseIpv4('192.168.0.0')!, 16) },
  { name: '127.0.0.0/8', range: cidrRange(parseIpv4('127.0.0.0')!, 8) },
  { name: '169.254.0.0/16', range: cidrRange(parseIpv4('169.254.0.0')!, 16) },
];

/** Largest single target accepted without `--allow-large`: a /16. */
export const MAX_TARGET_SIZE = 65536;

export function isInAllowedScope(r: Ipv4Range): boolean {
  return ALLOWED_BLOCKS.some((b) => r.first >= b.range.first && r.last <= b.range.last);
}

export interface ScopeOptions {
  allowPublic?: boolean;
  allowLarge?: boolean;
}

/**
 * The scope guard. Runs before any socket opens; throws `SCAN_ERR_SCOPE` or `SCAN_ERR_TOO_LARGE`
 * for the first offending target so nothing is sent at all.
 */
export function checkScope(targets: readonly Target[], opts: ScopeOptions = {}): void {
  for (const t of targets) {
    if (!opts.allowLarge && rangeSize(t) > MAX_TARGET_SIZE) {
      throw new ScanError(
        'SCAN_ERR_TOO_LARGE',
        `target ${t.spec} has ${rangeSize(t)} addresses, more than a /16; pass --allow-large to sweep it`,
      );
    }
    if (!opts.allowPublic && !isInAllowedScope(t)) {
      throw new ScanError(
        'SCAN_ERR_SCOPE',
        `target ${t.spec} (${formatIpv4(t.first)}-${formatIpv4(t.last)}) is outside private, loopback and link-local ranges; pass --allow-public to scan it`,
      );
    }
  }
}
