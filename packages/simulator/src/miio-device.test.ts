import { Token, buildRequest, decodeHelloReply, decodePacket, decodePayload, encodeHello, encodePacket, encodePayload } from '@xmscan/miio-probe/codec';
import { describe, expect, it } from 'vitest';
import { MiioResponder, isReadOnlyMiioMethod } from './miio-device.js';
import type { DeviceProfile } from './profile.js';

const TOKEN = 'ed0ec8e98fd21edd701ee653713a293b';
const token = Token.fromHex(TOKEN);

function profile(miio: DeviceProfile['miio'] = {}, extra: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    name: 'plug', model: 'cuco.plug.v3', did: 575059092, token: TOKEN, mac: '68:ab:bc:e6:21:5e',
    fw_ver: '1.0.7', hw_ver: 'ESP32C3', mcu_fw_ver: '0018', miio_ver: '0.1.0', wifi_fw_ver: 'WifiVer.N/A',
    miio, ...extra,
  };
}

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function request(method: string, id = 7, params: unknown[] = [], tok = token, stamp = 100): Buffer {
  return encodePacket(tok, { deviceId: 575059092, stamp, payload: encodePayload(buildRequest(id, method, params as never)) });
}

function answer(reply: Buffer | null): Record<string, unknown> {
  expect(reply).not.toBeNull();
  const { payload } = decodePacket(token, reply!);
  return decodePayload(payload!).value as Record<string, unknown>;
}

describe('hello', () => {
  it('answers with did, an advancing uptime stamp and a hidden ff field', () => {
    const c = clock();
    const r = new MiioResponder(profile({ stampStart: 4098901 }), '127.0.0.14', c.now);
    const first = r.handle(encodeHello());
    expect(first.kind).toBe('hello');
    expect(first.readOnly).toBe(true);
    const h = decodeHelloReply(first.reply!);
    expect(h.deviceId).toBe(575059092);
    expect(h.stamp).toBe(4098901);
    expect(h.tokenField).toBe('hidden');
    expect(h.hiddenAs).toBe('ff');
    c.advance(5_500);
    expect(decodeHelloReply(r.handle(encodeHello()).reply!).stamp).toBe(4098906);
  });

  it('leaks the token when the profile says so, or hides it as 00', () => {
    const leak = decodeHelloReply(new MiioResponder(profile({ leakToken: true })).handle(encodeHello()).reply!);
    expect(leak.tokenField).toBe('exposed');
    expect(leak.token!.equals(token)).toBe(true);
    const zero = decodeHelloReply(new MiioResponder(profile({ hiddenAs: '00' })).handle(encodeHello()).reply!);
    expect(zero.hiddenAs).toBe('00');
  });

  it('uses Unix time as stamp for "unix" devices', () => {
    const c = clock(1_800_000_000_000);
    const h = decodeHelloReply(new MiioResponder(profile({ stampStart: 'unix' }), '127.0.0.1', c.now).handle(encodeHello()).reply!);
    expect(h.stamp).toBe(1_800_000_000);
  });

  it('sends truncated or garbage replies when configured', () => {
    const t = new MiioResponder(profile({ helloReply: 'truncated' })).handle(encodeHello()).reply!;
    expect(t.length).toBeLessThan(32);
    expect(() => decodeHelloReply(t)).toThrow(expect.objectContaining({ code: 'MIIO_ERR_SHORT' }));
    const g = new MiioResponder(profile({ helloReply: 'garbage' })).handle(encodeHello()).reply!;
    expect(g.length).toBe(32);
    expect(() => decodeHelloReply(g)).toThrow(expect.objectContaining({ code: 'MIIO_ERR_BAD_MAGIC' }));
  });

  it('carries the reply delay', () => {
    expect(new MiioResponder(profile({ replyDelayMs: 250 })).handle(encodeHello()).delayMs).toBe(250);
  });
});

describe('encrypted requests', () => {
  it('answers miIO.info from the profile, echoing id and token like real firmware', () => {
    const c = clock();
    const r = new MiioResponder(profile({ stampStart: 4098901, info: { uid: 1244457931 } }), '127.0.0.14', c.now);
    const out = r.handle(request('miIO.info', 4242));
    expect(out.kind).toBe('miIO.info');
    expect(out.readOnly).toBe(true);
    expect(JSON.stringify(out.detail)).not.toContain(TOKEN);
    const v = answer(out.reply);
    expect(v['id']).toBe(4242);
    const res = v['result'] as Record<string, unknown>;
    expect(res).toMatchObject({
      model: 'cuco.plug.v3', fw_ver: '1.0.7', hw_ver: 'ESP32C3', mcu_fw_ver: '0018', miio_ver: '0.1.0',
      wifi_fw_ver: 'WifiVer.N/A', mac: '68:AB:BC:E6:21:5E', token: TOKEN, life: 4098901, ot: 'otu', uid: 1244457931,
      netif: { localIp: '127.0.0.14', mask: '255.255.255.0', gw: '127.0.0.1' },
    });
    expect(res['ap']).toHaveProperty('ssid');
    // The reply header stamp equals life, as in the real cuco capture (§1.11).
    expect(decodePacket(token, out.reply!).header.stamp).toBe(res['life']);
  });

  it('is silent on a wrong token, or sends a bare ff header when configured', () => {
    const wrong = Token.fromHex('00'.repeat(16));
    const silent = new MiioResponder(profile()).handle(request('miIO.info', 1, [], wrong));
    expect(silent.reply).toBeNull();
    expect(silent.kind).toBe('bad-token');
    const ff = new MiioResponder(profile({ wrongTokenReply: 'ff-header' })).handle(request('miIO.info', 1, [], wrong));
    expect(ff.reply!.length).toBe(32);
    expect(ff.reply!.subarray(16).every((b) => b === 0xff)).toBe(true);
  });

  it('refuses unknown and state-changing methods with code -10000 and marks them not read-only', () => {
    const r = new MiioResponder(profile());
    const set = r.handle(request('set_power', 2, ['off']));
    expect(set.readOnly).toBe(false);
    expect(answer(set.reply)).toEqual({ id: 2, error: { code: -10000, message: 'method not found' } });
    const cfg = r.handle(request('miIO.config_router', 3, []));
    expect(cfg.readOnly).toBe(false);
  });

  it('serves get_prop and get_properties from profile props, read-only', () => {
    const r = new MiioResponder(profile({ props: { power: 'on', '2.1': true } }));
    const a = r.handle(request('get_prop', 4, ['power', 'nope']));
    expect(a.readOnly).toBe(true);
    expect(answer(a.reply)['result']).toEqual(['on', null]);
    const b = answer(r.handle(request('get_properties', 5, [{ did: 'x', siid: 2, piid: 1 }, { did: 'x', siid: 9, piid: 9 }])).reply);
    expect(b['result']).toEqual([{ did: 'x', siid: 2, piid: 1, code: 0, value: true }, { did: 'x', siid: 9, piid: 9, code: -4004 }]);
  });

  it('ignores miIO.info when answersInfo is false, and repeated ids when Roborock-like', () => {
    expect(new MiioResponder(profile({ answersInfo: false })).handle(request('miIO.info')).reply).toBeNull();
    const r = new MiioResponder(profile({ ignoreRepeatedId: true, envelope: 'roborock' }));
    const first = answer(r.handle(request('miIO.info', 11)).reply);
    expect(first).toMatchObject({ id: 11, code: 0, message: 'ok' });
    expect(r.handle(request('miIO.info', 11)).reply).toBeNull();
    expect(r.handle(request('miIO.info', 12)).reply).not.toBeNull();
  });

  it('logs junk without answering', () => {
    const r = new MiioResponder(profile());
    for (const junk of [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(64, 0x21)]) {
      const out = r.handle(junk);
      expect(out.reply).toBeNull();
      expect(out.kind).toBe('malformed');
    }
  });
});

describe('isReadOnlyMiioMethod', () => {
  it.each([
    ['miIO.info', true], ['get_prop', true], ['get_properties', true], ['get_status', true], ['miIO.wifi_assoc_state', true],
    ['set_power', false], ['set_properties', false], ['miIO.config_router', false], ['enable_telnet_service', false], ['app_start', false],
  ])('%s -> %s', (m, ro) => expect(isReadOnlyMiioMethod(m)).toBe(ro));
});
