import { describe, expect, it } from 'vitest';
import { buildHeartbeat, handleDiscovery, handleUnicast, lumiHeartbeatToken } from './lumi.js';
import type { DeviceProfile } from './profile.js';
import { buildNotify, buildSearchResponse, handleControlLine, isYeelightSearch, yeelightId } from './yeelight.js';

const bulb: DeviceProfile = {
  name: 'bulb', model: 'yeelink.light.color1', did: 0x15243f, token: '1'.repeat(32), mac: 'F8:24:41:3C:5E:7A', fw_ver: '2.0.6_0065', hw_ver: 'esp8266',
  yeelight: { model: 'color', fw_ver: '18', lanControl: true, state: { power: 'off' } },
};
const gw: DeviceProfile = {
  name: 'gw', model: 'lumi.gateway.v3', did: 1, token: '2'.repeat(32), mac: '34:CE:00:88:91:49', fw_ver: '1.4.1_170', hw_ver: 'MW300',
  lumiGateway: { proto_version: '1.1.2', subDevices: ['158d0001a2b3c4'] },
};

describe('yeelight (§5.1-5.2)', () => {
  it('recognises M-SEARCH with and without the final blank line, spacing tolerant', () => {
    expect(isYeelightSearch(Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1982\r\nMAN: "ssdp:discover"\r\nST: wifi_bulb'))).toBe(true);
    expect(isYeelightSearch(Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1982\r\nMAN:"ssdp:discover"\r\nST:wifi_bulb\r\n\r\n'))).toBe(true);
    expect(isYeelightSearch(Buffer.from('NOTIFY * HTTP/1.1\r\nST: wifi_bulb\r\n'))).toBe(false);
    expect(isYeelightSearch(Buffer.from('M-SEARCH * HTTP/1.1\r\nMAN: "ssdp:discover"\r\nST: upnp:rootdevice\r\n'))).toBe(false);
  });

  it('replies with Location, Server, id = 0x + 16-hex did, model, fw_ver, support', () => {
    const text = buildSearchResponse(bulb, bulb.yeelight!, '127.0.0.15').toString();
    expect(text.startsWith('HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\n')).toBe(true);
    expect(text).toContain('Location: yeelight://127.0.0.15:55443\r\n');
    expect(text).toContain('Server: POSIX UPnP/1.0 YGLC/1\r\n');
    expect(text).toContain('id: 0x000000000015243f\r\n');
    expect(yeelightId(0x15243f)).toBe('0x000000000015243f');
    expect(text).toContain('model: color\r\nfw_ver: 18\r\nsupport: get_prop ');
    expect(text).toContain('power: off\r\n');
  });

  it('advertises with NOTIFY ssdp:alive carrying Location, id and fw_ver', () => {
    const text = buildNotify(bulb, bulb.yeelight!, '127.0.0.15').toString();
    expect(text.startsWith('NOTIFY * HTTP/1.1\r\nHost: 239.255.255.250:1982\r\nCache-Control: max-age=3600\r\nLocation: yeelight://127.0.0.15:55443\r\nNTS: ssdp:alive\r\n')).toBe(true);
    expect(text).toContain('id: 0x000000000015243f\r\n');
    expect(text).toContain('fw_ver: 18\r\n');
    expect(isYeelightSearch(Buffer.from(text))).toBe(false);
  });

  it('answers get_prop only; set_* is refused and not read-only', () => {
    const ok = handleControlLine(bulb.yeelight!, '{"id":1,"method":"get_prop","params":["power","bright","nope"]}');
    expect(JSON.parse(ok.reply)).toEqual({ id: 1, result: ['off', '50', ''] });
    expect(ok.readOnly).toBe(true);
    const set = handleControlLine(bulb.yeelight!, '{"id":2,"method":"set_power","params":["on","smooth",500]}');
    expect(JSON.parse(set.reply)).toEqual({ id: 2, error: { code: -1, message: 'unsupported method' } });
    expect(set.readOnly).toBe(false);
    expect(handleControlLine(bulb.yeelight!, '{nope').kind).toBe('malformed');
  });
});

describe('lumi gateway (§5.3)', () => {
  it('answers whois (and an empty request) with iam, port as a string, sid = MAC', () => {
    const out = handleDiscovery(gw, gw.lumiGateway!, '127.0.0.12', Buffer.from('{"cmd":"whois"}'));
    expect(JSON.parse(out.reply!.toString())).toEqual({ cmd: 'iam', port: '9898', sid: '34ce00889149', model: 'gateway', proto_version: '1.1.2', ip: '127.0.0.12' });
    expect(handleDiscovery(gw, gw.lumiGateway!, '127.0.0.12', Buffer.alloc(0)).reply).not.toBeNull();
  });

  it('heartbeats carry model, sid, a 16-character token and the ip inside a JSON string', () => {
    const hb = JSON.parse(buildHeartbeat(gw, gw.lumiGateway!, '127.0.0.12').toString()) as Record<string, string>;
    expect(hb).toMatchObject({ cmd: 'heartbeat', model: 'gateway', sid: '34ce00889149', short_id: '0' });
    expect(hb['token']).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(hb['token']).toBe(lumiHeartbeatToken(gw));
    expect(JSON.parse(hb['data']!)).toEqual({ ip: '127.0.0.12' });
  });

  it('read -> read_ack with proto_version; get_id_list -> ack; write refused and not read-only', () => {
    const read = handleUnicast(gw, gw.lumiGateway!, '127.0.0.12', Buffer.from('{"cmd":"read","sid":"34ce00889149"}'));
    const ack = JSON.parse(read.reply!.toString()) as Record<string, string>;
    expect(ack['cmd']).toBe('read_ack');
    expect(JSON.parse(ack['data']!)).toMatchObject({ proto_version: '1.1.2' });
    const list = JSON.parse(handleUnicast(gw, gw.lumiGateway!, '127.0.0.12', Buffer.from('{"cmd":"get_id_list"}')).reply!.toString()) as Record<string, string>;
    expect(list['cmd']).toBe('get_id_list_ack');
    expect(JSON.parse(list['data']!)).toEqual(['158d0001a2b3c4']);
    const w = handleUnicast(gw, gw.lumiGateway!, '127.0.0.12', Buffer.from('{"cmd":"write","sid":"34ce00889149","data":"{\\"rgb\\":0}","key":"x"}'));
    expect(w.readOnly).toBe(false);
    expect(w.reply!.toString()).toContain('Invalid key');
    expect(handleUnicast(gw, gw.lumiGateway!, '127.0.0.12', Buffer.from([0xff, 0x00])).kind).toBe('malformed');
  });
});
