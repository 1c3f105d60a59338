import { describe, expect, it } from 'vitest';
import { buildReport, diffReports, type DeviceReport, type Finding, type ScanReport } from '@xmscan/report';
import { buildNotifyMessage, cleanText, isNotifiable, MAX_TEXT_BYTES } from './message.js';
import { parseNotifyUrl } from './targets.js';
import type { ReportDiff } from './types.js';

const TOKEN = '597137546e325664394b704c34775873';
let tick = 0;
const clock = { now: () => new Date(Date.UTC(2026, 10, 26, 12, 0, tick++)) };

function dev(over: Partial<DeviceReport> & { ip: string }): DeviceReport {
  return {
    mac: null,
    vendor: null,
    xiaomiFamily: null,
    deviceId: null,
    model: null,
    names: [],
    sources: ['hello'],
    firmware: null,
    token: { state: 'hidden', supplied: false, valid: null, fingerprint: null },
    openPorts: [],
    ...over,
  };
}

function finding(over: Partial<Finding> & { checkId: string; ip: string }): Finding {
  return { severity: 'high', title: over.checkId, deviceId: null, evidence: {}, remediation: 'fix it', references: [], ...over };
}

function report(devices: DeviceReport[], findings: Finding[] = [], incomplete = false): ScanReport {
  const r = buildReport({ tool: { name: 'xmscan', version: '0.1.0' }, startedAt: clock.now(), options: {}, devices, checks: [], findings }, clock);
  return incomplete ? { ...r, incomplete: true } : r;
}

const vacuum = dev({ ip: '10.0.0.11', deviceId: '55408263', model: 'rockrobo.vacuum.v1', names: ['vacuum'] });
const plug = dev({ ip: '10.0.0.14', deviceId: '575059131', model: 'cuco.plug.v3' });

describe('buildNotifyMessage', () => {
  it('returns null when nothing changed, and when only non-triggering kinds changed', () => {
    const a = report([vacuum, plug]);
    expect(buildNotifyMessage(diffReports(a, report([vacuum, plug])), a)).toBeNull();
    // the plug is gone and the vacuum moved: worth a line in a message, not a message of its own
    const b = report([{ ...vacuum, ip: '10.0.0.99' }]);
    const d = diffReports(a, b);
    expect(d.changes.map((c) => c.kind).sort()).toEqual(['device-gone', 'ip-changed']);
    expect(isNotifiable(d, b)).toBe(false);
    expect(buildNotifyMessage(d, b)).toBeNull();
  });

  it('orders new findings by severity first, counts every kind, titles in ASCII', () => {
    const a = report([vacuum]);
    const b = report(
      [vacuum, plug],
      [
        finding({ checkId: 'low-thing', ip: '10.0.0.11', deviceId: '55408263', severity: 'low' }),
        finding({ checkId: 'miio-token-exposed', ip: '10.0.0.11', deviceId: '55408263', severity: 'critical', title: 'Token exposed' }),
      ],
    );
    const m = buildNotifyMessage(diffReports(a, b), b)!;
    expect(m).not.toBeNull();
    expect(m.changes.map((c) => c.kind)).toEqual(['finding-new', 'finding-new', 'device-new']);
    expect(m.changes[0]).toMatchObject({ severity: 'critical', checkId: 'miio-token-exposed', ip: '10.0.0.11', model: 'rockrobo.vacuum.v1' });
    expect(m.highestNewSeverity).toBe('critical');
    expect(m.summary.changes).toEqual({ 'finding-new': 2, 'device-new': 1 });
    expect(m.title).toBe('xmscan: 2 new findings (critical), 1 new device');
    expect(m.title).toMatch(/^[\x20-\x7e]+$/);
    expect(m.previousStartedAt).toBe(a.startedAt);
    expect(m.text).toContain(`compared with ${a.startedAt}`);
    expect(m.text).toContain('- NEW [critical] 10.0.0.11 rockrobo.vacuum.v1: Token exposed');
    expect(m.moreChanges).toBe(0);
  });

  it('caps the list and says "and N more"; the text stays under the ntfy limit', () => {
    const devices = Array.from({ length: 60 }, (_, i) => dev({ ip: `10.0.1.${i + 1}`, deviceId: String(1000 + i), model: 'plug' }));
    const b = report(devices);
    const m = buildNotifyMessage(diffReports(report([]), b), b)!;
    expect(m.changes).toHaveLength(20);
    expect(m.moreChanges).toBe(40);
    expect(m.text).toContain('... and 40 more');
    // long device-supplied names: the byte bound wins over the count
    const long = report(devices.map((d) => ({ ...d, model: 'x'.repeat(500), names: ['n'.repeat(500)] })));
    const big = buildNotifyMessage(diffReports(report([]), long), long, { maxChanges: 200 })!;
    expect(Buffer.byteLength(big.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(big.changes.length + big.moreChanges).toBe(60);
    expect(big.changes.length).toBeLessThan(60);
    expect(big.text).toContain(`... and ${big.moreChanges} more`);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThan(64 * 1024);
  });

  it('masks token-shaped hex and strips terminal controls from device-supplied strings', () => {
    const evil = dev({ ip: '10.0.0.66', deviceId: '66', model: `evil.${TOKEN}`, names: [`\u001b]0;pwned\u0007lamp ${TOKEN.toUpperCase()}\u202e`] });
    const b = report([evil]);
    const m = buildNotifyMessage(diffReports(report([]), b), b)!;
    const all = JSON.stringify(m);
    expect(all.toLowerCase()).not.toContain(TOKEN);
    expect(all).not.toContain('\u001b');
    expect(all).not.toContain('\u202e');
    expect(m.changes[0]!.name).toBe('lamp [hex]');
    expect(cleanText('ab'.repeat(16))).toBe('[hex]');
    expect(cleanText('tok:1f8e30f27962')).toBe('tok:1f8e30f27962');
  });

  it('copies no evidence and no references (they may hold anything)', () => {
    const a = report([vacuum]);
    const f = finding({
      checkId: 'firmware-advisory',
      ip: '10.0.0.11',
      deviceId: '55408263',
      subject: 'XMSA-0037',
      evidence: { banner: 'secret-banner' },
      references: ['https://github.com/x/y/blob/1bd08610c08f06e717e60f93ef984f055d262f87/README.md'],
    });
    const b = report([vacuum], [f]);
    const m = buildNotifyMessage(diffReports(a, b), b)!;
    const all = JSON.stringify(m);
    expect(all).not.toContain('secret-banner');
    expect(all).not.toContain('1bd08610');
    expect(m.changes[0]!.subject).toBe('XMSA-0037');
  });

  it('says "first scan" without a previous report; resolved findings do not trigger on an incomplete scan', () => {
    const b = report([vacuum]);
    const first = buildNotifyMessage(diffReports(report([]), b), { ...b });
    // diffReports keeps the baseline's startedAt; an empty string is how the CLI step marks "no previous"
    const diff: ReportDiff = { ...diffReports(report([]), b), from: { startedAt: '' } };
    expect(buildNotifyMessage(diff, b)!.text).toContain('first scan: nothing to compare with');
    expect(first).not.toBeNull();
    const withF = report([vacuum], [finding({ checkId: 'telnet-open', ip: '10.0.0.11', deviceId: '55408263' })]);
    const after = report([vacuum], [], true);
    const d = diffReports(withF, after);
    expect(d.changes.map((c) => c.kind)).toEqual(['finding-resolved']);
    expect(buildNotifyMessage(d, after)).toBeNull();
    expect(buildNotifyMessage(d, { ...after, incomplete: false })).not.toBeNull();
  });
});

describe('parseNotifyUrl', () => {
  it('accepts the documented forms', () => {
    expect(parseNotifyUrl('https://example.org/hook?x=1')).toMatchObject({ kind: 'webhook', display: 'webhook https://example.org/***' });
    expect(parseNotifyUrl('http://ha.local:8123/api/webhook/abc-123')).toMatchObject({ kind: 'homeassistant', display: 'homeassistant http://ha.local:8123/api/webhook/***' });
    expect(parseNotifyUrl('ha+https://ha.local/custom/path').kind).toBe('homeassistant');
    expect(parseNotifyUrl('webhook+http://ha.local/api/webhook/abc').kind).toBe('webhook');
    const n = parseNotifyUrl('ntfy://ntfy.sh/my-topic');
    expect(n.kind).toBe('ntfy');
    expect(n.url.href).toBe('https://ntfy.sh/my-topic');
    expect(n.display).toBe('ntfy https://ntfy.sh/***');
    expect(parseNotifyUrl('NTFY+HTTP://127.0.0.1:8080/t').url.href).toBe('http://127.0.0.1:8080/t');
  });

  it('turns user info into an Authorization header and drops it from the URL and the display', () => {
    const bearer = parseNotifyUrl('ntfy://:tk_abcdef@ntfy.example/t');
    expect(bearer.authorization).toBe('Bearer tk_abcdef');
    expect(bearer.url.href).toBe('https://ntfy.example/t');
    const basic = parseNotifyUrl('https://bob:p%40ss@example.org/h');
    expect(basic.authorization).toBe(`Basic ${Buffer.from('bob:p@ss').toString('base64')}`);
    expect(basic.url.href).not.toContain('bob');
    expect(basic.display).not.toContain('bob');
  });

  it('rejects what it cannot send to, with SCAN_ERR_NOTIFY_URL and without echoing the URL', () => {
    for (const bad of ['', 'example.org/hook', 'ftp://example.org/x', 'mailto:me@example.org', 'ntfy://ntfy.sh', 'ntfy://ntfy.sh/', 'ha+http://ha.local/', 'http://', `https://x/${'a'.repeat(3000)}`, 'javascript://alert(1)']) {
      let err: unknown;
      try {
        parseNotifyUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toMatchObject({ code: 'SCAN_ERR_NOTIFY_URL' });
    }
    try {
      parseNotifyUrl('gopher://user:hunter2@x/y');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});
