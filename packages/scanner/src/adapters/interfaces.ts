/** The network-interface edge: os.networkInterfaces(), reduced to what discovery needs. */
import os from 'node:os';
import { maskToPrefix } from '../targets/ipv4.js';

export interface NetInterface {
  name: string;
  address: string;
  netmask: string;
  prefix: number;
  internal: boolean;
  mac: string | null;
}

/**
 * Up IPv4 interfaces. libuv reports only interfaces that are IFF_UP and IFF_RUNNING, so
 * "listed" means "up" here.
 */
export function listIpv4Interfaces(): NetInterface[] {
  const out: NetInterface[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue;
      const prefix = a.cidr ? Number(a.cidr.split('/')[1]) : maskToPrefix(a.netmask);
      if (prefix === null || !Number.isInteger(prefix)) continue;
      out.push({
        name,
        address: a.address,
        netmask: a.netmask,
        prefix,
        internal: a.internal,
        mac: a.mac && a.mac !== '00:00:00:00:00:00' ? a.mac.toUpperCase() : null,
      });
    }
  }
  return out;
}
