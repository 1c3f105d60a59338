import { describe, expect, it } from 'vitest';
import { parseLumiIam } from './lumi-parse.js';
import { YEELIGHT_SEARCH, parseYeelightReply } from './yeelight-parse.js';

const SPEC_REPLY = [
  'HTTP/1.1 200 OK',
  'Cache-Control: max-age=3600',
  'Date:',
  'Ext:',
  'Location: yeelight://192.168.1.239:55443',
  'Server: POSIX UPnP/1.0 YGLC/1',
  'id: 0x000000000015243f',
  'model: color',
  'fw_ver: 18',
  'support: get_prop set_default set_power toggle',
  'power: on',
  'name:',
  '',
].join('\r\n');

describe('Yeelight reply', () => {
  it('parses the spec example (protocols.md §5.1); id hex → decimal did', () => {
    expect(parseYeelightReply(Buffer.from(SPEC_REPLY))).toEqual({
      id: '0x000000000015243f',
      deviceId: '1385535',
      model: 'color',
      fwVer: '18',
      support: ['get_prop', 'set_default', 'set_power', 'toggle'],
      location: 'yeelight://192.168.1.239:55443',
      lanControl: { host: '192.168.1.239', port: 55443 },
      name: null,
      server: 'POSIX UPnP/1.0 YGLC/1',
    });
  });
  it('accepts NOTIFY advertisements', () => {
    const notify = SPEC_REPLY.replace('HTTP/1.1 200 OK', 'NOTIFY * HTTP/1.1');
    expect(parseYeelightReply(Buffer.from(notify))?.deviceId).toBe('1385535');
  });
  it('ignores our own M-SEARCH, junk and bad ids', () => {
    expect(parseYeelightReply(YEELIGHT_SEARCH)).toBeNull();
    expect(parseYeelightReply(Buffer.from([0, 1, 2, 255]))).toBeNull();
    expect(parseYeelightReply(Buffer.alloc(0))).toBeNull();
    expect(parseYeelightReply(Buffer.from('HTTP/1.1 200 OK\r\nid: 0xZZ\r\n'))).toBeNull();
    const noLan = parseYeelightReply(Buffer.from('HTTP/1.1 200 OK\r\nid: 0x1\r\nLocation: yeelight://host:99999\r\n'));
    expect(noLan).toMatchObject({ deviceId: '1', lanControl: null });
  });
});

describe('Lumi iam', () => {
  it('parses the documented reply; port string → number', () => {
    const iam = '{"cmd":"iam","port":"9898","sid":"7811dcb07917","model":"gateway","proto_version":"1.1.2","ip":"10.0.4.104"}';
    expect(parseLumiIam(Buffer.from(iam))).toEqual({ sid: '7811dcb07917', model: 'gateway', port: 9898, ip: '10.0.4.104', protoVersion: '1.1.2' });
  });
  it('rejects other commands and junk, sanitises fields', () => {
    expect(parseLumiIam(Buffer.from('{"cmd":"whois"}'))).toBeNull();
    expect(parseLumiIam(Buffer.from('{"cmd":'))).toBeNull();
    expect(parseLumiIam(Buffer.from('[1,2]'))).toBeNull();
    expect(parseLumiIam(Buffer.from('{"cmd":"iam","port":"x","sid":"not hex","ip":"999.1.1.1"}'))).toEqual({
      sid: null,
      model: null,
      port: null,
      ip: null,
      protoVersion: null,
    });
  });
});
