/**
 * Network faults during a run (issue 8, hostile LAN): sends the kernel refused (EACCES on a broadcast
 * with a prohibit route or no SO_BROADCAST, ENETUNREACH when the route went away, EADDRNOTAVAIL /
 * ENODEV when the interface did) and interfaces that disappeared mid-scan. Sources report each failed
 * send; the run summarizes them so the user gets one clear line per cause instead of silence and an
 * empty result that reads as "no devices". Pure.
 */
import type { NetInterface } from '../adapters/interfaces.js';

/** One send the kernel refused. */
export interface SendProblem {
  source: string;
  /** errno name (EACCES, ENETUNREACH, ...) or SEND_FAILED. */
  code: string;
  /** Destination address. */
  dest: string;
  /** Interface name when the sender is pinned to one. */
  iface?: string | undefined;
}

export interface SendProblemSummary {
  source: string;
  code: string;
  count: number;
  /** Up to 3 destinations, for the message. */
  examples: string[];
  message: string;
}

export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'SEND_FAILED';
}

/** Group failed sends by source and errno, in first-seen order. */
export function summarizeSendProblems(problems: readonly SendProblem[]): SendProblemSummary[] {
  const groups = new Map<string, SendProblemSummary>();
  for (const p of problems) {
    const key = `${p.source}\u0000${p.code}`;
    let g = groups.get(key);
    if (!g) {
      g = { source: p.source, code: p.code, count: 0, examples: [], message: '' };
      groups.set(key, g);
    }
    g.count++;
    const ex = p.iface ? `${p.dest} via ${p.iface}` : p.dest;
    if (g.examples.length < 3 && !g.examples.includes(ex)) g.examples.push(ex);
  }
  for (const g of groups.values()) {
    g.message = `${g.count} ${g.source} send(s) refused by the system (${g.code}), e.g. to ${g.examples.join(', ')}: devices there may be missing`;
  }
  return [...groups.values()];
}

/** Chosen interfaces (name + address) that are no longer up with that address. */
export function lostInterfaces(chosen: readonly Pick<NetInterface, 'name' | 'address'>[], now: readonly Pick<NetInterface, 'name' | 'address'>[]): string[] {
  return chosen.filter((c) => !now.some((n) => n.name === c.name && n.address === c.address)).map((c) => c.name);
}

/** Report warnings for the faults of one run (scan.ts); any of them makes the report incomplete. */
export function networkFaultWarnings(
  faults: { sendErrors: readonly SendProblemSummary[]; interfacesLost: readonly string[] },
  stillLost: readonly string[] = [],
): { code: string; message: string }[] {
  const out: { code: string; message: string }[] = [];
  for (const e of faults.sendErrors) out.push({ code: 'SCAN_WARN_SEND_FAILED', message: e.message });
  for (const name of new Set([...faults.interfacesLost, ...stillLost])) {
    out.push({ code: 'SCAN_WARN_INTERFACE_LOST', message: `interface ${name} went away during the scan: devices behind it may be missing or only partly audited` });
  }
  return out;
}
