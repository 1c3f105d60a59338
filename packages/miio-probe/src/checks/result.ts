import type { Evidence, JsonValue } from '@xmscan/report';
import type { CheckMeta, CheckResult, DeviceAuditContext, Finding, FindingOverrides } from './types.js';

/** Drop `undefined` members so evidence is plain JSON (and stable across runs). */
export function cleanEvidence(input: Record<string, JsonValue | undefined>): Evidence {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The one place a `Finding` is built (style.md §7 item 9): meta defaults, device identity, evidence.
 * Evidence must already be token-free; `runChecks` scrubs it again as a second line of defence.
 */
export function toFinding(meta: CheckMeta, ctx: DeviceAuditContext, evidence: Record<string, JsonValue | undefined>, overrides: FindingOverrides = {}): Finding {
  const f: Finding = {
    checkId: meta.id,
    severity: overrides.severity ?? meta.severity,
    title: overrides.title ?? meta.title,
    ip: ctx.device.ip,
    deviceId: ctx.device.deviceId,
    mac: ctx.device.mac,
    evidence: cleanEvidence(evidence),
    remediation: overrides.remediation ?? meta.remediation,
    references: [...(overrides.references ?? meta.references)],
  };
  if (overrides.confidence !== undefined) f.confidence = overrides.confidence;
  if (overrides.subject !== undefined) f.subject = overrides.subject;
  return f;
}

/** Builders for the four statuses of one check on one device. */
export function outcome(meta: CheckMeta, ctx: DeviceAuditContext) {
  const base = { checkId: meta.id, deviceId: ctx.device.deviceId, ip: ctx.device.ip };
  return {
    pass: (reason: string): CheckResult => ({ run: { ...base, status: 'pass', reason }, findings: [] }),
    skipped: (reason: string): CheckResult => ({ run: { ...base, status: 'skipped', reason }, findings: [] }),
    error: (code: string, message: string, reason?: string): CheckResult => ({
      run: { ...base, status: 'error', error: { code, message }, ...(reason !== undefined ? { reason } : {}) },
      findings: [],
    }),
    fail: (findings: Finding[], reason?: string): CheckResult => ({
      run: { ...base, status: 'fail', ...(reason !== undefined ? { reason } : {}) },
      findings,
    }),
  };
}
