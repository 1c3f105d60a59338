import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildReport, diffReports, type Finding, type ScanReport } from '@xmscan/report';
import { takeExitCode } from './common.js';
import { addExitCodeOptions, applyDiffExitCode, applyScanExitCode, diffExitCode, parseFailOn, scanExitCode } from './exit-code.js';

const clock = { now: () => '2026-11-26T12:00:00.000Z' };
const finding = (severity: Finding['severity']): Finding => ({ checkId: `c-${severity}`, severity, title: 't', ip: '10.0.0.1', deviceId: '1', evidence: {}, remediation: 'r', references: [] });
const report = (...sev: Finding['severity'][]): ScanReport =>
  buildReport({ tool: { name: 'xmscan', version: '0' }, startedAt: '2026-11-26T12:00:00.000Z', devices: [], checks: [], findings: sev.map(finding) }, clock);

describe('scan exit code', () => {
  it('0 below --fail-on, 1 at or above; default high; none disables', () => {
    expect(scanExitCode(report())).toBe(0);
    expect(scanExitCode(report('medium', 'low'))).toBe(0);
    expect(scanExitCode(report('high'))).toBe(1);
    expect(scanExitCode(report('critical'), 'high')).toBe(1);
    expect(scanExitCode(report('medium'), 'medium')).toBe(1);
    expect(scanExitCode(report('info'), 'low')).toBe(0);
    expect(scanExitCode(report('critical'), 'none')).toBe(0);
  });
  it('suppressed findings never count', () => {
    const r = report('low');
    const withSuppressed: ScanReport = { ...r, suppressed: [{ finding: finding('critical'), reason: 'accepted' }] };
    expect(scanExitCode(withSuppressed, 'low')).toBe(1);
    expect(scanExitCode(withSuppressed, 'high')).toBe(0);
  });
  it('the step records the code for main()', () => {
    takeExitCode();
    applyScanExitCode(report('critical'), {});
    expect(takeExitCode()).toBe(1);
    applyScanExitCode(report('critical'), { failOn: 'none' });
    expect(takeExitCode()).toBe(0);
  });
});

describe('diff exit code', () => {
  const a = report('low');
  const b = report('low', 'critical');
  it('0 without changes, 1 with any change; --fail-on counts only new findings at or above it', () => {
    expect(diffExitCode(diffReports(a, a))).toBe(0);
    expect(diffExitCode(diffReports(a, b))).toBe(1);
    expect(diffExitCode(diffReports(b, a))).toBe(1); // a resolved finding is a change
    expect(diffExitCode(diffReports(b, a), 'info')).toBe(0); // … but not a new finding
    expect(diffExitCode(diffReports(a, b), 'critical')).toBe(1);
    expect(diffExitCode(diffReports(a, report('low', 'medium')), 'high')).toBe(0);
    expect(diffExitCode(diffReports(a, b), 'none')).toBe(0);
    takeExitCode();
    applyDiffExitCode(diffReports(a, b), {});
    expect(takeExitCode()).toBe(1);
  });
});

describe('--fail-on option and help', () => {
  it('parses severities case-insensitively and none; rejects the rest', () => {
    expect(parseFailOn(' HIGH ')).toBe('high');
    expect(parseFailOn('none')).toBe('none');
    expect(() => parseFailOn('severe')).toThrow(/expected one of/);
  });
  it('defaults to high for scan, none for diff, and documents the exit codes in --help', () => {
    const scan = addExitCodeOptions(new Command('scan').exitOverride(), 'scan');
    scan.parse([], { from: 'user' });
    expect(scan.opts()['failOn']).toBe('high');
    const diff = addExitCodeOptions(new Command('diff').exitOverride(), 'diff');
    diff.parse(['--fail-on', 'Critical'], { from: 'user' });
    expect(diff.opts()['failOn']).toBe('critical');
    let help = '';
    scan.configureOutput({ writeOut: (s) => (help += s) });
    scan.outputHelp();
    expect(help).toContain('--fail-on <severity>');
    expect(help).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 +usage or runtime error/);
  });
});
