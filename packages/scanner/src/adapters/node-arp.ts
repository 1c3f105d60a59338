/**
 * node-arp, for platforms without /proc/net/arp. node-arp spawns `ping` then `arp`; a missing
 * binary is an unhandled 'error' event that kills the process (toolchain.md), so we check both
 * binaries exist on PATH first and turn their absence into a typed error.
 */
import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ScanError } from '../errors.js';
import { macFromNodeArpResult, type Neighbour } from '../arp/proc-net-arp.js';

interface NodeArp {
  getMAC(ip: string, cb: (err: unknown, mac: unknown) => void): void;
}

async function onPath(bin: string): Promise<boolean> {
  const exts = process.platform === 'win32' ? (process.env['PATHEXT'] ?? '.EXE;.CMD').split(';') : [''];
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      try {
        await access(path.join(dir, bin + ext), constants.X_OK);
        return true;
      } catch {
        /* keep looking */
      }
    }
  }
  return false;
}

const PER_HOST_TIMEOUT_MS = 1500;
const CONCURRENCY = 8;

export async function lookupWithNodeArp(ips: readonly string[], signal: AbortSignal): Promise<Neighbour[]> {
  for (const bin of ['arp', 'ping']) {
    if (!(await onPath(bin))) throw new ScanError('SCAN_ERR_ARP', `cannot read the ARP table: \`${bin}\` is not installed`);
  }
  const arp = createRequire(import.meta.url)('node-arp') as NodeArp;
  const out: Neighbour[] = [];
  const queue = [...ips];
  const one = (ip: string) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, PER_HOST_TIMEOUT_MS);
      arp.getMAC(ip, (err, value) => {
        clearTimeout(timer);
        const mac = macFromNodeArpResult(err, value);
        if (mac !== null) out.push({ ip, mac, interface: null });
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let ip = queue.shift(); ip !== undefined && !signal.aborted; ip = queue.shift()) await one(ip);
    }),
  );
  return out;
}
