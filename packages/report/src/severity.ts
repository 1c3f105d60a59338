import { ReportError } from './errors.js';

/** Ordered from least to most severe; the index is the rank. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

/** Rank of a severity: info 0 … critical 4. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/**
 * Negative when `a` is less severe than `b`, 0 when equal, positive when more severe.
 * Sorting with `(a, b) => compareSeverity(b, a)` puts critical first.
 */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

/** True when `s` is at least as severe as `threshold` (e.g. the CLI's `--fail-on high`). */
export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] >= RANK[threshold];
}

/** The most severe of a list; null for an empty list. */
export function maxSeverity(list: Iterable<Severity>): Severity | null {
  let best: Severity | null = null;
  for (const s of list) if (best === null || RANK[s] > RANK[best]) best = s;
  return best;
}

/**
 * Parse user or file input, case-insensitively and trimmed (`'HIGH'` → `'high'`).
 * Throws `ReportError` with code `REPORT_ERR_BAD_SEVERITY` for anything else.
 * @example parseSeverity(' Critical ') // 'critical'
 */
export function parseSeverity(value: unknown): Severity {
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (isSeverity(v)) return v;
  }
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new ReportError('REPORT_ERR_BAD_SEVERITY', `unknown severity ${shown}; expected one of ${SEVERITIES.join(', ')}`);
}
