import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRawSecrets, maskSecret, REDACTED_HEX, redactReport, revealSecrets, secretsForDevice } from './redact.js';
import type { DeviceSecrets, ScanReport } from './schema.js';

const sample = (): ScanReport => JSON.parse(readFileSync(new URL('./__fixtures__/report-v1.sample.json', import.meta.url), 'utf8')) as ScanReport;

const TOKEN_A = '00112233445566778899aabbccddeeff';
const TOKEN_B = 'ffeeddccbbaa99887766554433221100';
const secrets: DeviceSecrets[] = [
  { ip: '192.168.1.9', deviceId: '42', mac: null, token: TOKEN_A },
  { ip: '192.168.1.10', deviceId: '123456789', mac: '04:CF:8C:00:00:10', token: TOKEN_B, wifiSsid: 'MyHomeWifi', wifiBssid: '04:cf:8c:aa:bb:cc' },
  { ip: '192.168.1.100', deviceId: null, mac: '50:64:2B:00:00:01', routerSerial: '36418/J1V123456' },
];

/** The report as the scan makes it: extras.wifi masked, extras.router with the masked serial. */
function scanShaped(): ScanReport {
  const r = sample();
  const devices = r.devices.map((d) =>
    d.ip === '192.168.1.10' ? { ...d, extras: { wifi: { ssid: maskSecret('MyHomeWifi'), bssid: maskSecret('04:cf:8c:aa:bb:cc'), rssi: -50 } } } : d,
  );
  return { ...r, devices };
}

describe('maskSecret', () => {
  it('keeps two leading characters and the last one', () => {
    expect(maskSecret('MyHomeWifi')).toBe('My*******i');
    expect(maskSecret('abc')).toBe('***');
    expect(maskSecret('')).toBe('');
  });
});

describe('revealSecrets', () => {
  it('fills in token, wifi and serial, marks the report, and leaves the input alone', () => {
    const before = scanShaped();
    const snapshot = JSON.stringify(before);
    const r = revealSecrets(before, secrets);
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(r.secretsShown).toBe(true);
    expect(r.devices[0]?.token.value).toBe(TOKEN_A);
    expect(r.devices[1]?.token.value).toBe(TOKEN_B);
    expect(r.devices[1]?.extras?.['wifi']).toEqual({ ssid: 'MyHomeWifi', bssid: '04:cf:8c:aa:bb:cc', rssi: -50 });
    // The fixture's router carries the legacy key; the serial goes beside the redacted one.
    expect(r.devices[2]?.extras?.['routerInitInfo']).toMatchObject({ serial: '36418/J1V123456', serialRedacted: '36418/J1V…' });
    expect(r.devices[2]?.token.value).toBeUndefined();
  });

  it('ignores a token that is not 32 hex and secrets of absent devices', () => {
    const r = revealSecrets(sample(), [{ ip: '192.168.1.9', deviceId: '42', mac: null, token: 'nothex' }, { ip: '10.0.0.1', deviceId: '1', mac: null, token: TOKEN_A }]);
    expect(r.devices.every((d) => d.token.value === undefined)).toBe(true);
  });

  it('matches by device id, then MAC, then IP', () => {
    const d = { ip: '10.0.0.5', mac: 'AA:BB:CC:DD:EE:FF', deviceId: '7' };
    expect(secretsForDevice(d, [{ ip: '10.0.0.5', deviceId: '8', mac: null }])).toBeUndefined();
    expect(secretsForDevice(d, [{ ip: '10.0.0.9', deviceId: '7', mac: null }])?.ip).toBe('10.0.0.9');
    expect(secretsForDevice({ ...d, deviceId: null }, [{ ip: '10.0.0.9', deviceId: null, mac: 'aa:bb:cc:dd:ee:ff' }])?.ip).toBe('10.0.0.9');
    expect(secretsForDevice({ ...d, deviceId: null, mac: null }, [{ ip: '10.0.0.5', deviceId: null, mac: null }])?.ip).toBe('10.0.0.5');
  });
});

describe('redactReport', () => {
  it('undoes revealSecrets: no raw secret left, secretsShown gone', () => {
    const shown = revealSecrets(scanShaped(), secrets);
    expect(findRawSecrets(shown).length).toBeGreaterThan(0);
    const r = redactReport(shown, secrets);
    expect(findRawSecrets(r)).toEqual([]);
    expect(r.secretsShown).toBeUndefined();
    const text = JSON.stringify(r);
    for (const raw of [TOKEN_A, TOKEN_B, 'MyHomeWifi', '04:cf:8c:aa:bb:cc', '36418/J1V123456']) expect(text).not.toContain(raw);
    expect(r.devices[1]?.extras?.['wifi']).toEqual({ ssid: 'My*******i', bssid: '04**************c', rssi: -50 });
  });

  it('without the secrets list still masks by key and scrubs any 32-hex run, keeping references and fingerprints', () => {
    const r = sample();
    const dirty: ScanReport = {
      ...r,
      devices: r.devices.map((d, i) =>
        i === 0 ? { ...d, names: [`lamp ${TOKEN_A.toUpperCase()}`], extras: { mdns: [{ txt: { [TOKEN_B]: 'x', ssid: 'Home' } }], router: { serial: '36418/J1V123456' } } } : d,
      ),
      findings: r.findings.map((f, i) =>
        i === 0 ? { ...f, evidence: { ...f.evidence, note: `leaked ${TOKEN_B}`, ssid: 'xiaomi-repeater_miap1234' }, references: ['https://example.org/commit/0123456789abcdef0123456789abcdef01234567'] } : f,
      ),
    };
    const red = redactReport(dirty);
    expect(findRawSecrets(red)).toEqual([]);
    const text = JSON.stringify(red);
    expect(text).not.toContain(TOKEN_A.toUpperCase());
    expect(text).not.toContain(TOKEN_B);
    expect(red.devices[0]?.names[0]).toBe(`lamp ${REDACTED_HEX}`);
    expect(red.findings[0]?.evidence['ssid']).toBe('xi*********************4');
    expect(red.findings[0]?.evidence['tokenFingerprint']).toBe('tok:ba9876543210');
    expect(red.findings[0]?.references[0]).toContain('0123456789abcdef0123456789abcdef01234567');
    expect(red.devices[0]?.token.fingerprint).toBe('tok:ba9876543210');
  });

  it('is idempotent and leaves an already redacted report unchanged', () => {
    const once = redactReport(sample());
    expect(redactReport(once)).toEqual(once);
    // The sample is redacted already (the scan masks): redaction changes nothing.
    expect(once).toEqual(sample());
  });

  it('property: any string holding a token-shaped run comes out without one', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{32}$/), fc.string(), (pre, hex, post) => {
        const r = sample();
        const dirty: ScanReport = { ...r, devices: r.devices.map((d, i) => (i === 0 ? { ...d, names: [pre + hex + post] } : d)) };
        const red = redactReport(dirty);
        return findRawSecrets(red).length === 0 && !(red.devices[0]?.names[0] ?? '').includes(hex);
      }),
      { numRuns: 200 },
    );
  });
});
