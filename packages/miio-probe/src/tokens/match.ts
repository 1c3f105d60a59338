import { normaliseDeviceId, normaliseMac } from './normalise.js';
import type { TokenEntry } from './types.js';

export type TokenMatchKey = 'deviceId' | 'mac' | 'ip';

export type TokenMatch = TokenEntry & { matchedBy: TokenMatchKey };

export interface TokenQuery {
  deviceId?: string | number | undefined;
  mac?: string | undefined;
  ip?: string | undefined;
}

/**
 * The token for a device: by device id first (stable across resets and IP changes, peers.md §4
 * item 1), then MAC, then IP. A MAC or IP candidate whose own device id contradicts the query's is
 * refused: the address now belongs to another device (DHCP moved it). First entry wins on ties,
 * so the order of `--tokens` files is the user's priority.
 */
export function matchToken(entries: readonly TokenEntry[], query: TokenQuery): TokenMatch | undefined {
  const did = normaliseDeviceId(query.deviceId);
  const mac = normaliseMac(query.mac);
  const ip = typeof query.ip === 'string' ? query.ip.trim() : undefined;
  const compatible = (e: TokenEntry): boolean => did === undefined || e.deviceId === undefined || e.deviceId === did;
  if (did !== undefined) {
    const e = entries.find((x) => x.deviceId === did);
    if (e) return { ...e, matchedBy: 'deviceId' };
  }
  if (mac !== undefined) {
    const e = entries.find((x) => x.mac === mac && compatible(x));
    if (e) return { ...e, matchedBy: 'mac' };
  }
  if (ip) {
    const e = entries.find((x) => (x.ip === ip || x.host === ip) && compatible(x));
    if (e) return { ...e, matchedBy: 'ip' };
  }
  return undefined;
}
