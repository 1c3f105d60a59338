import { describe, expect, it } from 'vitest';
import { buildReport, diffReports, type DeviceReport, type ScanReport } from '@xmscan/report';
import { notifyChanges } from './notify.js';
import { ntfyPriority } from './ntfy.js';
import type { RetryClock } from './retry.js';
import { parseNotifyUrl } from './targets.js';
import type { HttpRequest, HttpSend } from './types.js';

const TOKEN = '597137546e325664394b704c34775873';
const clock = { now: () => new Date('2026-11-26T12:00:00Z') };
const instant: RetryClock = { now: () => 0, sleep: async () => {} };

function dev(over: Partial<DeviceReport> & { ip: string }): DeviceReport {
  return {
    mac: null, vendor: null, xiaomiFamily: null, deviceId: null, model: null, names: [], sources: ['hello'], firmware: null,
    token: { state: 'hidden', supplied: false, valid: null, fingerprint: null }, openPorts: [], ...over,
  };
}
const report = (devices: DeviceReport[], findings: ScanReport['findings'] = []) =>
  buildReport({ tool: { name: 'xmscan', version: '0.1.0' }, startedAt: clock.now(), options: {}, devices, checks: [], findings }, clock);

const vacuum = dev({ ip: '10.0.0.11', deviceId: '55408263', model: 'rockrobo.vacuum.v1', token: { state: 'exposed-confirmed', supplied: false, valid: null, fingerprint: 'tok:1f8e30f27962' } });
const before = report([]);
const after = report([vacuum], [
  { checkId: 'miio-token-exposed', severity: 'critical', title: 'Token exposed', ip: '10.0.0.11', deviceId: '55408263', evidence: { tokenFingerprint: 'tok:1f8e30f27962' }, remediation: 'r', references: [] },
]);

function recorder(status = 200) {
  const sent: HttpRequest[] = [];
  const send: HttpSend = async (req) => {
    sent.push(req);
    return { status, retryAfter: null };
  };
  return { sent, send };
}

describe('notifyChanges', () => {
  it('sends one request per target, shaped per kind', async () => {
    const rec = recorder();
    const targets = ['http://127.0.0.1:1/hook', 'ntfy+http://127.0.0.1:1/topic', 'http://127.0.0.1:1/api/webhook/abc'].map(parseNotifyUrl);
    const out = await notifyChanges(targets, diffReports(before, after), after, { send: rec.send, clock: instant });
    expect(out.results.map((r) => [r.kind, r.ok, r.attempts])).toEqual([['webhook', true, 1], ['ntfy', true, 1], ['homeassistant', true, 1]]);
    expect(rec.sent).toHaveLength(3);
    const [hook, ntfy, ha] = rec.sent as [HttpRequest, HttpRequest, HttpRequest];
    const doc = JSON.parse(hook.body.toString('utf8'));
    expect(doc).toMatchObject({ tool: { name: 'xmscan' }, startedAt: after.startedAt, summary: { devices: 1 }, moreChanges: 0, highestNewSeverity: 'critical' });
    expect(doc.changes.map((c: { kind: string }) => c.kind)).toEqual(['finding-new', 'device-new']);
    expect(hook.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(ha.body.toString('utf8'))).toEqual(doc);
    expect(ntfy.headers).toMatchObject({ priority: '5', tags: 'rotating_light,xmscan', title: 'xmscan: 1 new finding (critical), 1 new device' });
    expect(ntfy.body.toString('utf8')).toContain('NEW [critical] 10.0.0.11 rockrobo.vacuum.v1: Token exposed');
    expect(ntfy.url.href).toBe('http://127.0.0.1:1/topic');
  });

  it('sends nothing when nothing notifiable changed, or without targets', async () => {
    const rec = recorder();
    const out = await notifyChanges([parseNotifyUrl('http://127.0.0.1:1/h')], diffReports(after, after), after, { send: rec.send });
    expect(out).toEqual({ message: null, results: [] });
    expect((await notifyChanges([], diffReports(before, after), after, { send: rec.send })).results).toEqual([]);
    expect(rec.sent).toHaveLength(0);
  });

  it('refuses (attempts 0, nothing sent) a payload carrying a known secret in a form the hex mask cannot see', async () => {
    const b64 = Buffer.from(TOKEN, 'hex').toString('base64');
    const sneaky = report([dev({ ip: '10.0.0.12', deviceId: '7', names: [`lamp ${b64}`] })]);
    const rec = recorder();
    const out = await notifyChanges([parseNotifyUrl('http://127.0.0.1:1/h')], diffReports(before, sneaky), sneaky, { send: rec.send, forbidden: [TOKEN] });
    expect(out.results[0]).toMatchObject({ ok: false, attempts: 0, error: { code: 'SCAN_ERR_NOTIFY_UNSAFE' } });
    expect(rec.sent).toHaveLength(0);
  });

  it('reports each failing target on its own', async () => {
    const send: HttpSend = async (req) => ({ status: req.url.pathname === '/bad' ? 500 : 200, retryAfter: null });
    const out = await notifyChanges(['http://127.0.0.1:1/bad', 'http://127.0.0.1:1/good'].map(parseNotifyUrl), diffReports(before, after), after, { send, clock: instant });
    expect(out.results.map((r) => [r.ok, r.attempts, r.error?.code])).toEqual([[false, 3, 'SCAN_ERR_NOTIFY_HTTP'], [true, 1, undefined]]);
  });

  it('maps severities to ntfy priorities', () => {
    expect([ntfyPriority('critical'), ntfyPriority('high'), ntfyPriority('medium'), ntfyPriority('low'), ntfyPriority('info'), ntfyPriority(null)]).toEqual([5, 4, 3, 2, 2, 3]);
  });
});
