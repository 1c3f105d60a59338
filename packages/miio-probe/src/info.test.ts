/** miIO.info → MiioInfo: typed, bounded, and never holding the token (§2.3, §3). */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultInfo, startFakeMiioDevice, type FakeMiioDevice } from '../../../test/fakes/fake-miio-device.js';
import { hex, loadVectors } from '../../../test/fixtures/miio/vectors.js';
import { createMiioClient, type MiioClient } from './client.js';
import { Token, decodePacket, decodePayload, parseResponse } from './codec/index.js';
import { MiioBadReplyError } from './errors.js';
import { parseMiioInfo, readMiioInfo } from './info.js';

const TOKEN = Token.fromHex('ed0ec8e98fd21edd701ee653713a293b');
const OTHER = Token.fromHex('ffeeddccbbaa99887766554433221100');

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function pair(info?: Record<string, unknown>, token: Token = TOKEN): Promise<{ d: FakeMiioDevice; c: MiioClient }> {
  const d = await startFakeMiioDevice({ token: TOKEN, ...(info ? { info } : {}) });
  const c = createMiioClient({ address: d.address, port: d.port, token });
  open.push(d, c);
  return { d, c };
}

function assertNoToken(value: unknown, t: Token) {
  const text = JSON.stringify(value) + inspect(value, { depth: 10 });
  expect(text).not.toContain(t.revealHex());
  expect(text.toLowerCase()).not.toContain(t.revealHex().toLowerCase());
}

describe('readMiioInfo over UDP', () => {
  it('reads a cuco-like device: typed fields, token stripped but matched', async () => {
    const { c } = await pair();
    const info = await readMiioInfo(c);
    expect(info).toEqual({
      model: 'cuco.plug.v3',
      fwVer: '1.0.7',
      hwVer: 'ESP32C3',
      mac: '68:AB:BC:E6:21:5E',
      wifiFwVer: 'WifiVer.N/A',
      mcuFwVer: '0018',
      miioVer: '0.1.0',
      ap: { ssid: 'Test_Home', bssid: 'C8:BF:4C:3A:62:3B', rssi: -53 },
      netif: { localIp: '127.0.0.1', mask: '255.0.0.0', gw: '127.0.0.1' },
      life: 4098901,
      uidPresent: true,
      token: { present: true, matches: true },
      otherFields: ['ipflag', 'mmfree', 'workmode', 'config_type'],
      anomalies: [],
    });
    assertNoToken(info, TOKEN);
  });

  it('a reply echoing a different token: present, not matching, value not kept', async () => {
    const { c } = await pair({ ...defaultInfo(TOKEN), token: OTHER.revealHex() });
    const info = await readMiioInfo(c);
    expect(info.token).toEqual({ present: true, matches: false });
    assertNoToken(info, OTHER);
  });

  it('never-answering info (Gen-1 Roborock without cloud) times out within 1 s', async () => {
    const d = await startFakeMiioDevice({ token: TOKEN, neverAnswerInfo: true });
    const c = createMiioClient({ address: d.address, port: d.port, token: TOKEN });
    open.push(d, c);
    const t0 = performance.now();
    await expect(readMiioInfo(c)).rejects.toMatchObject({ code: 'MIIO_ERR_TIMEOUT', phase: 'call', helloAnswered: true });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('parseMiioInfo (pure)', () => {
  it('the real cuco.plug.v3 capture', () => {
    const c = loadVectors()['real_device_miio_info_response_cuco_plug_v3'];
    const t = Token.fromHex(c.token);
    const resp = parseResponse(decodePayload(decodePacket(t, hex(c.packet_hex)).payload!).value);
    expect(resp.kind).toBe('result');
    const info = parseMiioInfo((resp as { result: unknown }).result, t);
    expect(info).toMatchObject({
      model: 'cuco.plug.v3',
      mac: '68:AB:BC:E6:21:5E',
      wifiFwVer: 'WifiVer.N/A',
      ap: { ssid: 'Migao_Home', bssid: 'C8:BF:4C:3A:62:3B', rssi: -53 },
      netif: { localIp: '192.168.31.73', mask: '255.255.255.0', gw: '192.168.31.1' },
      life: 4098901,
      uidPresent: true,
      token: { present: true, matches: true },
      anomalies: [],
    });
    assertNoToken(info, t);
    // Without a client token there is nothing to compare with.
    expect(parseMiioInfo((resp as { result: unknown }).result, null).token).toEqual({ present: true, matches: null });
  });

  it('rockrobo / chuangmi shapes: no uid, ot kept, masked netif flagged', () => {
    const info = parseMiioInfo(
      {
        ap: { bssid: 'FF:FF:FF:FF:FF:FF', rssi: -68, ssid: 'network' },
        cfg_time: 0,
        fw_ver: '1.2.4_16',
        hw_ver: 'MW300',
        life: 24,
        mac: '28:ff:ff:ff:ff:ff',
        model: 'chuangmi.plug.m1',
        netif: { gw: '192.168.xxx.x', localIp: '192.168.xxx.x', mask: '255.255.255.0' },
        ot: 'otu',
        token: '2b00042f7481c7b056c4b410d28f33cf',
      },
      TOKEN,
    );
    expect(info).toMatchObject({ model: 'chuangmi.plug.m1', mac: '28:FF:FF:FF:FF:FF', ot: 'otu', uidPresent: false, netif: { mask: '255.255.255.0' } });
    expect(info.netif).toEqual({ mask: '255.255.255.0' });
    expect(info.anomalies).toEqual(['netif.localIp', 'netif.gw']);
    expect(info.token).toEqual({ present: true, matches: false });
  });

  const hostile: Array<[string, Record<string, unknown>, string[]]> = [
    ['model with a newline', { model: 'evil.model\n[ok]' }, ['model']],
    ['model not vendor.type', { model: 'justaword' }, ['model']],
    ['model too long', { model: 'a.' + 'b'.repeat(100) }, ['model']],
    ['model as a number', { model: 42 }, ['model']],
    ['fw_ver with ANSI escape', { fw_ver: '1.0\u001b[31m' }, ['fw_ver']],
    ['fw_ver 10 kB', { fw_ver: 'x'.repeat(10_000) }, ['fw_ver']],
    ['hw_ver as object', { hw_ver: { toString: 'x' } }, ['hw_ver']],
    ['mac masked with single digits', { mac: '44:FF:F:F:FF:FF' }, ['mac']],
    ['mac with HTML', { mac: '<script>' }, ['mac']],
    ['life negative', { life: -1 }, ['life']],
    ['life fractional', { life: 1.5 }, ['life']],
    ['life > 2^32', { life: 2 ** 40 }, ['life']],
    ['life as string', { life: '24' }, ['life']],
    ['ap as array', { ap: ['ssid'] }, ['ap']],
    ['ap fields wrong', { ap: { ssid: 7, bssid: 'nope', rssi: 1000 } }, ['ap.ssid', 'ap.bssid', 'ap.rssi']],
    ['netif as string', { netif: '1.2.3.4' }, ['netif']],
    ['netif ip 256', { netif: { localIp: '10.0.0.256', mask: '1.2.3', gw: 'a.b.c.d' } }, ['netif.localIp', 'netif.mask', 'netif.gw']],
    ['token not hex', { token: 'hello' }, ['token']],
    ['token as number', { token: 12 }, ['token']],
    ['ot too long', { ot: 'o'.repeat(100) }, ['ot']],
    ['miio_ver as array', { miio_ver: ['0.0.1'] }, ['miio_ver']],
  ];
  it.each(hostile)('%s → field dropped, anomaly recorded', (_name, result, anomalies) => {
    const info = parseMiioInfo(result, TOKEN);
    expect(info.anomalies).toEqual(anomalies);
    const json = JSON.stringify(info);
    for (const v of Object.values(result)) if (typeof v === 'string' && v.length > 3) expect(json).not.toContain(v);
  });

  it('null fields are absent, not anomalies', () => {
    expect(parseMiioInfo({ model: null, token: null, uid: null, ap: null }, TOKEN)).toEqual({
      uidPresent: false,
      token: { present: false, matches: null },
      otherFields: [],
      anomalies: [],
    });
  });

  it('other field names are bounded in count and length', () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 500; i++) many['k'.repeat(100) + i] = i;
    const info = parseMiioInfo(many, TOKEN);
    expect(info.otherFields).toHaveLength(64);
    expect(info.otherFields.every((k) => k.length <= 64)).toBe(true);
  });

  it.each([['a string', 'unknown_method'], ['an array', [1]], ['null', null], ['a number', 3]])('result as %s ⇒ MIIO_ERR_BAD_REPLY', (_n, result) => {
    expect(() => parseMiioInfo(result, TOKEN)).toThrow(MiioBadReplyError);
  });
});
