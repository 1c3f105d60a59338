/**
 * The ARP-table edge. Linux: read /proc/net/arp directly (no subprocess, works in any network
 * namespace, toolchain.md). Elsewhere: node-arp, guarded (see node-arp.ts).
 */
import { readFile } from 'node:fs/promises';
import { ScanError } from '../errors.js';
import { parseProcNetArp, type Neighbour } from '../arp/proc-net-arp.js';
import { lookupWithNodeArp } from './node-arp.js';

export interface NeighbourTable {
  /** Neighbours among `ips` (Linux: the whole table, filtered). Never throws past the deadline. */
  read(ips: readonly string[], signal: AbortSignal): Promise<Neighbour[]>;
}

export function systemNeighbourTable(platform: NodeJS.Platform = process.platform): NeighbourTable {
  if (platform === 'linux') {
    return {
      async read(ips) {
        let text: string;
        try {
          text = await readFile('/proc/net/arp', 'utf8');
        } catch (err) {
          throw new ScanError('SCAN_ERR_ARP', `cannot read /proc/net/arp: ${(err as Error).message}`, { cause: err });
        }
        const wanted = new Set(ips);
        return parseProcNetArp(text).filter((n) => wanted.has(n.ip));
      },
    };
  }
  return { read: (ips, signal) => lookupWithNodeArp(ips, signal) };
}
