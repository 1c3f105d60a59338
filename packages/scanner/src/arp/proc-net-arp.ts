import { normalizeMac } from '../oui/mac.js';
import { isIpv4 } from '../targets/ipv4.js';

export interface Neighbour {
  ip: string;
  mac: string;
  interface: string | null;
}

/** ATF_COM: the entry is complete (resolved). 0x0 means incomplete / failed. */
const ATF_COM = 0x2;

/**
 * Parse Linux /proc/net/arp:
 * `IP address  HW type  Flags  HW address  Mask  Device`. Incomplete entries (flags without
 * ATF_COM, all-zero MAC) are absences, not devices. Junk lines are skipped.
 */
export function parseProcNetArp(text: string): Neighbour[] {
  const out: Neighbour[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const [ip, , flagsText, hw, , dev] = cols as [string, string, string, string, string, string];
    if (!isIpv4(ip)) continue;
    const flags = Number.parseInt(flagsText, 16);
    if (!Number.isFinite(flags) || (flags & ATF_COM) === 0) continue;
    const mac = normalizeMac(hw);
    if (mac === null) continue;
    out.push({ ip, mac, interface: dev });
  }
  return out;
}

/**
 * Interpret one node-arp answer: `(incomplete)`, `undefined`, an error flag or junk are all
 * "no neighbour" (toolchain.md: that is how node-arp reports an unanswered host).
 */
export function macFromNodeArpResult(err: unknown, value: unknown): string | null {
  if (err) return null;
  return typeof value === 'string' ? normalizeMac(value) : null;
}
