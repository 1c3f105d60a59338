import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { SEVERITIES, compareSeverity, isSeverity, maxSeverity, parseSeverity, severityAtLeast, severityRank } from './severity.js';

describe('severity', () => {
  it('is ordered info < low < medium < high < critical', () => {
    expect(SEVERITIES).toEqual(['info', 'low', 'medium', 'high', 'critical']);
    expect(SEVERITIES.map(severityRank)).toEqual([0, 1, 2, 3, 4]);
    expect(compareSeverity('critical', 'high')).toBeGreaterThan(0);
    expect(compareSeverity('info', 'low')).toBeLessThan(0);
    expect(compareSeverity('medium', 'medium')).toBe(0);
    const shuffled = ['low', 'critical', 'info', 'high', 'medium'] as const;
    expect([...shuffled].sort((a, b) => compareSeverity(b, a))).toEqual(['critical', 'high', 'medium', 'low', 'info']);
  });

  it('parses case-insensitively and trims', () => {
    expect(parseSeverity('HIGH')).toBe('high');
    expect(parseSeverity(' Critical ')).toBe('critical');
    expect(isSeverity('info')).toBe(true);
    expect(isSeverity('INFO')).toBe(false);
    expect(isSeverity('toString')).toBe(false);
  });

  it.each([['severe'], [''], [3], [null], [undefined], ['constructor']])('rejects %j with REPORT_ERR_BAD_SEVERITY', (v) => {
    let err: unknown;
    try {
      parseSeverity(v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReportError);
    expect((err as ReportError).code).toBe('REPORT_ERR_BAD_SEVERITY');
  });

  it('thresholds and maxima', () => {
    expect(severityAtLeast('high', 'medium')).toBe(true);
    expect(severityAtLeast('low', 'medium')).toBe(false);
    expect(severityAtLeast('medium', 'medium')).toBe(true);
    expect(maxSeverity(['low', 'critical', 'info'])).toBe('critical');
    expect(maxSeverity([])).toBeNull();
  });
});
