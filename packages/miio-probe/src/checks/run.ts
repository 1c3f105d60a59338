import type { JsonValue } from '@xmscan/report';
import { builtinChecks } from './builtin.js';
import type { Check, CheckResult, CheckRun, DeviceAuditContext, Finding } from './types.js';

const STATUSES: readonly string[] = ['pass', 'fail', 'error', 'skipped'];
const SEVERITIES: readonly string[] = ['info', 'low', 'medium', 'high', 'critical'];
// Exactly 32 hex digits: the shape of a miIO token. Nothing a check reports needs one. Longer runs
// (40-hex git commits in reference URLs) are left alone.
const TOKEN_HEX = /(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])/g;
export const REDACTED = '[redacted]';

function scrubValue(v: unknown, key: string | null): unknown {
  if (typeof v === 'string') return v.replace(TOKEN_HEX, REDACTED);
  if (Array.isArray(v)) {
    // `references` are our own URLs (advisory data, check metadata), never device data; a gist id
    // is 32 hex and must survive.
    return key === 'references' ? v : v.map((x) => scrubValue(x, null));
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, k);
    return out;
  }
  return v;
}

/**
 * Deep copy as plain JSON (a Token serialises to its fingerprint via toJSON) with every
 * token-shaped (32-hex) run replaced, except inside `references` arrays.
 */
export function scrubSecrets<T>(value: T): T {
  const json = JSON.stringify(value);
  if (json === undefined) return value;
  return scrubValue(JSON.parse(json) as unknown, null) as T;
}

function describeThrow(err: unknown): string {
  // Only the error's class and code: its message could quote device data (or a token).
  const name = err instanceof Error ? err.name : typeof err;
  const code = err !== null && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? ` ${(err as { code: string }).code}` : '';
  return `check threw ${name}${code}`;
}

function validResult(check: Check, r: unknown): r is CheckResult {
  if (r === null || typeof r !== 'object') return false;
  const { run, findings } = r as Partial<CheckResult>;
  if (run === undefined || run === null || typeof run !== 'object' || run.checkId !== check.meta.id || !STATUSES.includes(run.status)) return false;
  if (!Array.isArray(findings)) return false;
  return findings.every((f: Finding) => f !== null && typeof f === 'object' && f.checkId === check.meta.id && SEVERITIES.includes(f.severity));
}

export interface ChecksOutcome {
  runs: CheckRun[];
  findings: Finding[];
}

/**
 * Run checks on one device. Never throws: a throwing check becomes an `error` run with code
 * `MIIO_ERR_CHECK_THREW`, a malformed result `MIIO_ERR_CHECK_BAD_RESULT`. Findings are kept only
 * from `fail` runs, and every string is scrubbed of token-shaped hex before it leaves.
 * @example const { runs, findings } = runChecks(ctx);
 */
export function runChecks(ctx: DeviceAuditContext, checks: readonly Check[] = builtinChecks): ChecksOutcome {
  const runs: CheckRun[] = [];
  const findings: Finding[] = [];
  const ip = typeof ctx?.device?.ip === 'string' ? ctx.device.ip : '';
  const deviceId = typeof ctx?.device?.deviceId === 'string' ? ctx.device.deviceId : null;
  for (const check of checks) {
    let result: unknown;
    try {
      result = check.run(ctx);
    } catch (err) {
      runs.push({ checkId: check.meta.id, deviceId, ip, status: 'error', error: { code: 'MIIO_ERR_CHECK_THREW', message: describeThrow(err) } });
      continue;
    }
    if (!validResult(check, result)) {
      runs.push({ checkId: check.meta.id, deviceId, ip, status: 'error', error: { code: 'MIIO_ERR_CHECK_BAD_RESULT', message: 'check returned a malformed result' } });
      continue;
    }
    const clean = scrubSecrets(result as unknown as JsonValue) as unknown as CheckResult;
    runs.push(clean.run);
    if (clean.run.status === 'fail') findings.push(...clean.findings);
  }
  return { runs, findings };
}
