import type { NetInterface } from '../adapters/interfaces.js';
import { ScanError } from '../errors.js';
import { cidrRange, formatIpv4, inRange, parseIpv4 } from '../targets/ipv4.js';
import { expandTargets, parseTarget, type Target } from '../targets/parse.js';
import { checkScope, isInAllowedScope } from '../targets/scope.js';

/** Default sweeps never exceed a /22 per interface (issue 3): 1022 hosts, ~0.5 s at 2000 pps. */
export const MAX_DEFAULT_PREFIX = 22;

export interface PlanInput {
  targets?: readonly string[] | undefined;
  interfaces?: readonly string[] | undefined;
  allowPublic?: boolean | undefined;
  allowLarge?: boolean | undefined;
}

export interface DiscoveryPlan {
  /** Interfaces for broadcast / multicast. */
  interfaces: NetInterface[];
  targets: Target[];
  sweepHosts: string[];
  /** Things the caller may want to log (e.g. a public default subnet skipped). */
  notes: string[];
}

/**
 * Decide what discovery touches, before any socket opens (pure given the interface list):
 * - explicit targets are parsed and scope-guarded (throws SCAN_ERR_TARGET / _SCOPE / _TOO_LARGE);
 * - interfaces: `--interface` names, else those whose subnet holds a target, else every up
 *   non-loopback IPv4 interface;
 * - without targets the sweep covers each chosen interface's subnet (capped to the /22 around its
 *   address); a default subnet outside the allowed scope is skipped, not swept.
 */
export function planDiscovery(input: PlanInput, available: readonly NetInterface[]): DiscoveryPlan {
  const notes: string[] = [];
  const targets = (input.targets ?? []).map(parseTarget);
  checkScope(targets, { allowPublic: input.allowPublic ?? false, allowLarge: input.allowLarge ?? false });

  let chosen: NetInterface[];
  if (input.interfaces !== undefined && input.interfaces.length > 0) {
    chosen = available.filter((i) => input.interfaces!.includes(i.name));
    const missing = input.interfaces.filter((n) => !available.some((i) => i.name === n));
    if (missing.length > 0) throw new ScanError('SCAN_ERR_INTERFACE', `no up IPv4 interface named ${missing.join(', ')}`);
  } else if (targets.length > 0) {
    chosen = available.filter((i) => {
      const subnet = cidrRange(parseIpv4(i.address)!, i.prefix);
      return targets.some((t) => t.first <= subnet.last && t.last >= subnet.first);
    });
  } else {
    chosen = available.filter((i) => !i.internal);
  }

  let sweepTargets = targets;
  if (targets.length === 0) {
    sweepTargets = [];
    for (const i of chosen) {
      if (i.internal && !(input.interfaces ?? []).includes(i.name)) continue;
      const prefix = Math.max(i.prefix, MAX_DEFAULT_PREFIX);
      const range = cidrRange(parseIpv4(i.address)!, prefix);
      const spec = `${formatIpv4(range.first)}/${prefix}`;
      if (!(input.allowPublic ?? false) && !isInAllowedScope(range)) {
        notes.push(`interface ${i.name} subnet ${spec} is outside private/loopback/link-local ranges: not swept (use --target with --allow-public)`);
        continue;
      }
      if (prefix !== i.prefix) notes.push(`interface ${i.name} subnet /${i.prefix} capped to ${spec}`);
      sweepTargets.push(parseTarget(spec));
    }
  }
  const own = new Set(available.map((i) => i.address));
  // Never hello ourselves on a non-loopback address: it only adds noise.
  const sweepHosts = expandTargets(sweepTargets).filter((ip) => !own.has(ip) || ip.startsWith('127.'));
  return { interfaces: chosen, targets, sweepHosts, notes };
}

/** True when the address lies in one of the chosen interfaces' subnets. */
export function onChosenSubnet(ip: string, ifaces: readonly NetInterface[]): boolean {
  const n = parseIpv4(ip);
  return n !== null && ifaces.some((i) => inRange(n, cidrRange(parseIpv4(i.address)!, i.prefix)));
}
