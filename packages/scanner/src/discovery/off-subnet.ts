/**
 * Devices on a subnet this machine has no address on. They were reached through a router (an
 * explicit --target of another subnet, or an mDNS answer naming a far address); several Xiaomi
 * models ignore miIO packets whose source is outside their own subnet (protocols.md "Same subnet only";
 * peers.md: python-miio#422, aholstenson/miio#92/#164), so a silent
 * probe there means "unreachable from here", not "no token exposure" or "not found". Pure.
 */
import type { NetInterface } from '../adapters/interfaces.js';
import { cidrRange, inRange, parseIpv4 } from '../targets/ipv4.js';

/** True when `ip` is inside no interface's subnet (loopback 127/8 counts as lo's subnet). */
export function isOffSubnet(ip: string, interfaces: readonly NetInterface[]): boolean {
  const n = parseIpv4(ip);
  if (n === null) return false;
  return !interfaces.some((i) => {
    const a = parseIpv4(i.address);
    return a !== null && inRange(n, cidrRange(a, i.prefix));
  });
}

/** The distinct addresses among `ips` that are off every local subnet. */
export function offSubnetAddresses(ips: readonly (string | null)[], interfaces: readonly NetInterface[]): string[] {
  return [...new Set(ips.filter((ip): ip is string => ip !== null && isOffSubnet(ip, interfaces)))];
}

export const OFF_SUBNET_WARNING = 'SCAN_WARN_OFF_SUBNET';

export function offSubnetMessage(ip: string): string {
  return `${ip} is on a subnet this machine has no address on: some models ignore packets from other subnets, so missing answers from it mean "not reachable from here", not "not found" or "clean" (scan from a machine on its subnet, or use --interface)`;
}
