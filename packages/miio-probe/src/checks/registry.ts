import { CheckError } from './errors.js';
import type { Check, CheckMeta, CheckResult, DeviceAuditContext } from './types.js';

/** Check ids are kebab-case and permanent (style.md §7 naming; trivy `aws-access-key-id`). */
export const CHECK_ID_RX = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SEVERITIES: readonly string[] = ['info', 'low', 'medium', 'high', 'critical'];
const URL_RX = /^https?:\/\/\S+$/;

/** Problems with a check's static metadata; empty when valid. */
export function metaProblems(meta: CheckMeta): string[] {
  const p: string[] = [];
  if (typeof meta.id !== 'string' || !CHECK_ID_RX.test(meta.id)) p.push(`id ${JSON.stringify(meta.id)} is not kebab-case`);
  if (typeof meta.title !== 'string' || meta.title.trim() === '') p.push('title is empty');
  if (!SEVERITIES.includes(meta.severity)) p.push(`severity ${JSON.stringify(meta.severity)} is unknown`);
  if (typeof meta.description !== 'string' || meta.description.trim() === '') p.push('description is empty');
  if (typeof meta.remediation !== 'string' || meta.remediation.trim() === '') p.push('remediation is empty');
  if (!Array.isArray(meta.references) || meta.references.length === 0) p.push('references are empty');
  else for (const r of meta.references) if (typeof r !== 'string' || !URL_RX.test(r)) p.push(`reference ${JSON.stringify(r)} is not a URL`);
  return p;
}

/** Identity helper that validates metadata at definition time. */
export function defineCheck(check: Check): Check {
  const problems = metaProblems(check.meta);
  if (problems.length > 0) {
    throw new CheckError('MIIO_ERR_CHECK_INVALID_META', `check ${String(check.meta.id)}: ${problems.join('; ')}`);
  }
  return check;
}

export interface CheckRegistry {
  readonly checks: readonly Check[];
  get(id: string): Check | undefined;
  /** Static metadata of every check, for `xmscan checks` and docs. */
  metas(): CheckMeta[];
}

/** Throws `MIIO_ERR_CHECK_DUPLICATE` on a repeated id and `MIIO_ERR_CHECK_INVALID_META` on bad metadata. */
export function createCheckRegistry(checks: readonly Check[]): CheckRegistry {
  const byId = new Map<string, Check>();
  for (const c of checks) {
    defineCheck(c);
    if (byId.has(c.meta.id)) throw new CheckError('MIIO_ERR_CHECK_DUPLICATE', `check id ${c.meta.id} is registered twice`);
    byId.set(c.meta.id, c);
  }
  const list = [...checks];
  return {
    checks: list,
    get: (id) => byId.get(id),
    metas: () => list.map((c) => c.meta),
  };
}

/**
 * Define a check from its metadata and a pure run function that receives the metadata too (so no
 * `this` binding is needed: `const { run } = check` keeps working).
 */
export function createCheck(meta: CheckMeta, run: (ctx: DeviceAuditContext, meta: CheckMeta) => CheckResult): Check {
  return defineCheck({ meta, run: (ctx) => run(ctx, meta) });
}
