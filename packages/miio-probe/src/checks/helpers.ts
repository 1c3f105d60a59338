import type { AdvisoryDatabase } from '../advisories/types.js';
import type { DeviceAuditContext, ErrorInfo } from './types.js';

/** URLs of advisory records (by research id or CVE), deduplicated, after `base`. Missing ids are ignored. */
export function advisoryRefs(db: AdvisoryDatabase | undefined, keys: readonly string[], base: readonly string[] = []): string[] {
  const out = new Set(base);
  for (const k of keys) {
    const a = db?.index?.get(k);
    if (a !== undefined) for (const r of a.references) out.add(r.url);
  }
  return [...out];
}

/** XMSA ids for research ids / CVEs that exist in the database. */
export function advisoryIds(db: AdvisoryDatabase | undefined, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const a = db?.index?.get(k);
    if (a !== undefined && !out.includes(a.id)) out.push(a.id);
  }
  return out;
}

/** A probe error that only means "nothing answered" (host down, filtered, not that protocol). */
export function isSilence(error: ErrorInfo): boolean {
  return /TIMEOUT|REFUSED|UNREACHABLE|NOT_FOUND/.test(error.code);
}

/** The error of a failed `miIO.info`, or null. */
export function infoError(ctx: DeviceAuditContext): ErrorInfo | null {
  return ctx.info !== undefined && !ctx.info.ok ? ctx.info.error : null;
}

/** Port scan data is usable for "closed" claims. */
export function portsKnown(ctx: DeviceAuditContext): boolean {
  return ctx.portsScanned !== false && Array.isArray(ctx.ports);
}
