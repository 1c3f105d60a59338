import { describe, expect, it } from 'vitest';
import { ProbeError } from './errors.js';
import { dechunk, extractTitle, parseResponseHead } from './http-message.js';
import { parseIam, parseReadReply } from './lumi.js';
import { CONNACK_RETURN_CODES, MQTT_DISCONNECT, decodeConnack, encodeMqttConnect } from './mqtt.js';
import { DEFAULT_TCP_PORTS, familyForModel, parsePortList, portsForFamily } from './port-profiles.js';
import { cleanText, sanitiseBanner } from './read.js';
import { maskSerial, parseInitInfo } from './router.js';
import { serviceForPort, serviceFromBanner, strategyFor } from './services.js';
import { parseSshBanner } from './ssh.js';
import { TelnetDecoder, looksLikePrompt, telnetHostname } from './telnet.js';
import { YEELIGHT_GET_PROP, parseYeelightReply } from './yeelight.js';

describe('parsePortList', () => {
  it('parses lists and ranges, sorted and de-duplicated', () => {
    expect(parsePortList('22,80,1000-1003, 80 ,23')).toEqual([22, 23, 80, 1000, 1001, 1002, 1003]);
    expect(parsePortList('65535')).toEqual([65535]);
    expect(parsePortList('5 - 6')).toEqual([5, 6]);
  });
  it.each([
    ['', /empty/],
    ['22,,80', /empty item/],
    ['0', /outside 1-65535/],
    ['65536', /outside 1-65535/],
    ['80-22', /runs backwards/],
    ['ssh', /not a port or a range/],
    ['1-65535', /more than 1024 ports/],
    ['1-2-3', /not a port or a range/],
    ['-5', /not a port/],
    ['22.5', /not a port/],
  ])('%j is rejected', (input, message) => {
    expect(() => parsePortList(input)).toThrow(ProbeError);
    try {
      parsePortList(input);
    } catch (e) {
      expect((e as ProbeError).code).toBe('MIIO_ERR_BAD_PORTS');
      expect((e as ProbeError).message).toMatch(message);
    }
  });
  it('honours a custom cap', () => {
    expect(() => parsePortList('1-10', { max: 5 })).toThrow(/more than 5/);
  });
});

describe('port profiles', () => {
  it('default list is protocols.md §7 step 6 plus HTTP alternates', () => {
    for (const p of [22, 23, 80, 554, 1883, 8554, 8883, 55443, 8080, 443]) expect(DEFAULT_TCP_PORTS).toContain(p);
  });
  it.each([
    ['roborock.vacuum.s5', 'vacuum'],
    ['rockrobo.vacuum.v1', 'vacuum'],
    ['lumi.gateway.mgl03', 'gateway'],
    ['lumi.acpartner.v3', 'gateway'],
    ['chuangmi.camera.ipc009', 'camera'],
    ['isa.camera.df3', 'camera'],
    ['xiaomi.router.rb03', 'router'],
    ['yeelink.light.color1', 'yeelight'],
    ['zhimi.airpurifier.m1', 'generic'],
    [undefined, 'generic'],
  ] as const)('%s → %s', (model, family) => expect(familyForModel(model)).toBe(family));
  it('family lists add to the default, sorted', () => {
    const v = portsForFamily('vacuum');
    expect(v).toContain(6665);
    expect(v).toContain(22);
    expect([...v].sort((a, b) => a - b)).toEqual(v);
    expect(portsForFamily('generic')).toEqual([...DEFAULT_TCP_PORTS].sort((a, b) => a - b));
  });
});

describe('services', () => {
  it('by port and strategy', () => {
    expect(serviceForPort(22)).toBe('ssh');
    expect(serviceForPort(55443)).toBe('yeelight');
    expect(serviceForPort(12345)).toBe('unknown');
    expect(strategyFor('http')).toBe('http');
    expect(strategyFor('https')).toBe('connect-only');
    expect(strategyFor('unknown')).toBe('passive');
  });
  it.each([
    ['SSH-2.0-dropbear_2019.78\r\n', 'ssh'],
    ['HTTP/1.1 200 OK\r\n', 'http'],
    ['RTSP/1.0 200 OK\r\n', 'rtsp'],
    ['\xff\xfd\x18', 'telnet'],
    ['\r\nrlxlinux login: ', 'telnet'],
    ['220 ProFTPD Server ready\r\n', 'ftp'],
    ['\x20\x02\x00\x00', 'mqtt'],
    ['hello', null],
    ['', null],
  ])('banner %j → %s', (banner, service) => expect(serviceFromBanner(Buffer.from(banner, 'latin1'))).toBe(service));
});

describe('SSH banner', () => {
  it('parses version, software and comments', () => {
    expect(parseSshBanner(Buffer.from('SSH-2.0-dropbear_2019.78\r\n'))).toEqual({ protocolVersion: '2.0', software: 'dropbear_2019.78' });
    expect(parseSshBanner(Buffer.from('SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\r\n'))).toEqual({
      protocolVersion: '2.0',
      software: 'OpenSSH_7.4p1',
      comments: 'Debian-10+deb9u7',
    });
  });
  it('skips pre-banner lines (RFC 4253 §4.2) and rejects junk', () => {
    expect(parseSshBanner(Buffer.from('welcome\r\nSSH-1.99-x\r\n'))?.software).toBe('x');
    expect(parseSshBanner(Buffer.from('SSH-2.0-\r\n'))).toBeNull();
    expect(parseSshBanner(Buffer.from([0xff, 0x00, 0x53]))).toBeNull();
  });
});

describe('telnet', () => {
  it('strips negotiation, refuses each option once, keeps data', () => {
    const d = new TelnetDecoder();
    const a = d.push(Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01, 0x41, 0xff, 0xff, 0x42]));
    expect([...a.data]).toEqual([0x41, 0xff, 0x42]);
    expect([...a.reply]).toEqual([0xff, 0xfc, 0x18, 0xff, 0xfe, 0x01]);
    // Same requests again: no second answer (no negotiation loops).
    expect(d.push(Buffer.from([0xff, 0xfd, 0x18])).reply.length).toBe(0);
    // DONT/WONT need no answer.
    expect(d.push(Buffer.from([0xff, 0xfe, 0x05, 0xff, 0xfc, 0x06])).reply.length).toBe(0);
    expect(d.negotiations).toEqual(['DO 24', 'WILL 1', 'DO 24', 'DONT 5', 'WONT 6']);
  });
  it('handles sequences split across chunks and subnegotiation', () => {
    const d = new TelnetDecoder();
    expect(d.push(Buffer.from([0x61, 0xff])).data.toString()).toBe('a');
    const r = d.push(Buffer.from([0xfd]));
    expect(r.reply.length).toBe(0);
    const r2 = d.push(Buffer.from([0x1f, 0xff, 0xfa, 0x18, 0x01, 0x02, 0xff, 0xf0, 0x62]));
    expect([...r2.reply]).toEqual([0xff, 0xfc, 0x1f]);
    expect(r2.data.toString()).toBe('b');
  });
  it('gives up on a runaway subnegotiation', () => {
    const d = new TelnetDecoder();
    const out = d.push(Buffer.concat([Buffer.from([0xff, 0xfa]), Buffer.alloc(2000, 0x41)]));
    expect(out.data.length).toBeLessThan(1000);
  });
  it('prompts and hostnames (advisories.md §3.4)', () => {
    expect(looksLikePrompt('\r\nrlxlinux login: ')).toBe(true);
    expect(looksLikePrompt('Password:')).toBe(true);
    expect(looksLikePrompt('root@router:~# ')).toBe(true);
    expect(looksLikePrompt('Welcome\r\n')).toBe(false);
    expect(telnetHostname('\r\nrlxlinux login: ')).toBe('rlxlinux');
    expect(telnetHostname('Camera-Hub-G3-1A2B login:')).toBe('Camera-Hub-G3-1A2B');
    expect(telnetHostname('login: ')).toBeUndefined();
  });
});

describe('MQTT', () => {
  it('CONNECT has no credentials and a clean session', () => {
    const c = encodeMqttConnect('xmscan-1');
    expect(c[0]).toBe(0x10);
    expect(c[1]).toBe(c.length - 2);
    expect(c.subarray(2, 8).toString('latin1')).toBe('\x00\x04MQTT');
    expect(c[8]).toBe(4); // 3.1.1
    expect(c[9]).toBe(0x02); // clean session only: no username/password/will bits
    expect(c.subarray(12).toString()).toBe('\x00\x08xmscan-1');
    expect([...MQTT_DISCONNECT]).toEqual([0xe0, 0x00]);
  });
  it('decodes CONNACK incrementally and rejects other packets', () => {
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x00]))).toBeNull();
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x01, 0x00]))).toEqual({ sessionPresent: true, returnCode: 0, meaning: 'accepted' });
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x00, 0x05]))).toMatchObject({ returnCode: 5, meaning: 'not authorized' });
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x00, 0x77]))).toMatchObject({ meaning: 'unknown (119)' });
    expect(decodeConnack(Buffer.from('HTTP/1.1'))).toBe('bad');
    expect(decodeConnack(Buffer.from([0x20, 0x03]))).toBe('bad');
    expect(Object.keys(CONNACK_RETURN_CODES)).toHaveLength(6);
  });
});

describe('HTTP / RTSP heads', () => {
  it('parses status, headers (first wins), body offset', () => {
    const raw = Buffer.from('HTTP/1.1 401 Unauthorized\r\nServer: nginx\r\nWWW-Authenticate: Basic\r\nserver: second\r\nbad line\r\n\r\nbody');
    const h = parseResponseHead(raw)!;
    expect(h).toMatchObject({ protocol: 'HTTP', version: '1.1', status: 401, reason: 'Unauthorized' });
    expect(h.headers).toEqual({ server: 'nginx', 'www-authenticate': 'Basic' });
    expect(raw.subarray(h.bodyOffset).toString()).toBe('body');
  });
  it('RTSP, bare LF, partial heads, junk', () => {
    expect(parseResponseHead(Buffer.from('RTSP/1.0 200 OK\nCSeq: 1\n\n'))?.headers.cseq).toBe('1');
    expect(parseResponseHead(Buffer.from('HTTP/1.0 200 OK\r\nServer: x'))).toBeNull();
    expect(parseResponseHead(Buffer.from('HTTP/1.0 200 OK\r\nServer: x'), { partial: true })?.headers.server).toBe('x');
    expect(parseResponseHead(Buffer.from('SSH-2.0-x\r\n\r\n'))).toBeNull();
  });
  it('cleans hostile header values and caps header count', () => {
    const many = Array.from({ length: 200 }, (_, i) => `X-${i}: v`).join('\r\n');
    const h = parseResponseHead(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nServer: a\x1b[31mb\x00c'), Buffer.from('\u202ed\r\n' + many + '\r\n\r\n', 'utf8')]))!;
    expect(h.headers.server).not.toMatch(/[\x00-\x1f]/);
    expect(h.headers.server?.startsWith('a [31mb c')).toBe(true);
    expect(Object.keys(h.headers).length).toBeLessThanOrEqual(64);
  });
  it('extracts titles with entities, bounded', () => {
    expect(extractTitle(Buffer.from('<html><head><TITLE>Valetudo &amp; co</TITLE>'))).toBe('Valetudo & co');
    expect(extractTitle(Buffer.from('<title>\n  a\tb  </title>'))).toBe('a b');
    expect(extractTitle(Buffer.from('<title></title>'))).toBeUndefined();
    expect(extractTitle(Buffer.from('<title>' + 'x'.repeat(5000)))).toBeUndefined();
  });
  it('dechunks as far as the bytes go', () => {
    expect(dechunk(Buffer.from('4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n'), 100).toString()).toBe('Wikipedia');
    expect(dechunk(Buffer.from('4\r\nWiki\r\nzz\r\n'), 100).toString()).toBe('Wiki');
    expect(dechunk(Buffer.from('ffffff\r\nab'), 100).toString()).toBe('ab');
    expect(dechunk(Buffer.from('4\r\nWiki\r\n'), 2).toString()).toBe('Wi');
  });
});

describe('banner sanitising', () => {
  it('keeps printable ASCII, normalises CRLF, escapes the rest, caps length', () => {
    expect(sanitiseBanner(Buffer.from('SSH-2.0-x\r\n'))).toBe('SSH-2.0-x\n');
    expect(sanitiseBanner(Buffer.from([0x41, 0x00, 0x1b, 0xff, 0x0d, 0x42]))).toBe('A\\x00\\x1b\\xff\\x0dB');
    const long = sanitiseBanner(Buffer.alloc(1000, 0x41), 100);
    expect(long.length).toBe(101);
    expect(long.endsWith('…')).toBe(true);
    // Nothing that a terminal would interpret survives.
    expect(sanitiseBanner(Buffer.from('\x1b]0;pwned\x07'))).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
  it('cleanText strips controls and bidi overrides', () => {
    expect(cleanText('a\u202eb\u0000c\n d')).toBe('a b c d');
    expect(cleanText('x'.repeat(300), 10)).toBe('xxxxxxxxxx…');
  });
});

describe('router init_info', () => {
  const sample = {
    code: 0, inited: 1, hardware: 'RB03', romversion: '1.0.54', countrycode: 'DE', id: '36418/J1VT25382',
    routername: 'Redmi_A141', displayName: 'Redmi router AX6S', model: 'xiaomi.router.rb03', newEncryptMode: 1,
    routerId: 'a4aa1022-57a2-a530-d568-7905f1685a57',
  };
  it('keeps the useful fields and only a masked serial', () => {
    const { serial, ...info } = parseInitInfo(sample, '/cgi-bin/luci/api/xqsystem/init_info')!;
    // The serial itself only behind SecretText: masked when printed, revealed on request.
    expect(serial?.reveal()).toBe('36418/J1VT25382');
    expect(String(serial)).toBe('364**********82');
    expect(JSON.stringify({ serial })).not.toContain('J1VT25382');
    expect(info).toEqual({
      path: '/cgi-bin/luci/api/xqsystem/init_info',
      hardware: 'RB03',
      romversion: '1.0.54',
      model: 'xiaomi.router.rb03',
      inited: true,
      countrycode: 'DE',
      routername: 'Redmi_A141',
      displayName: 'Redmi router AX6S',
      newEncryptMode: 1,
      serialExposed: true,
      serialMasked: '364**********82',
    });
    const text = JSON.stringify(info);
    expect(text).not.toContain('J1VT25382');
    expect(text).not.toContain('36418');
    expect(text).not.toContain('a4aa1022');
  });
  it('masks short serials entirely and hides the length', () => {
    expect(maskSerial('ABC12')).toBe('**********');
    expect(maskSerial('ABCDEFGH')).toBe('ABC**********GH');
    expect(maskSerial('ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe('ABC**********YZ');
  });
  it('inited 0 = factory state; no id = not exposed; junk → null', () => {
    expect(parseInitInfo({ inited: 0, hardware: 'R3' }, '/p')).toEqual({ path: '/p', inited: false, hardware: 'R3', serialExposed: false });
    expect(parseInitInfo({ foo: 1 }, '/p')).toBeNull();
    expect(parseInitInfo({ code: 401, hardware: 'x' }, '/p')).toBeNull();
    expect(parseInitInfo({ hardware: { nested: true }, romversion: 5 }, '/p')).toEqual({ path: '/p', romversion: '5', serialExposed: false });
  });
});

describe('Yeelight reply', () => {
  it('request is one get_prop line', () => {
    expect(YEELIGHT_GET_PROP).toBe('{"id":1,"method":"get_prop","params":["power","name"]}\r\n');
  });
  it('skips notifications and parses the answer', () => {
    const text = '{"method":"props","params":{"power":"on"}}\r\n{"id":1,"result":["on","Desk"]}\r\n';
    expect(parseYeelightReply(text)).toEqual({ lanControl: true, power: 'on', name: 'Desk' });
    expect(parseYeelightReply('{"id":1,"result":["off",""]}')).toEqual({ lanControl: true, power: 'off' });
    expect(parseYeelightReply('{"id":1,"error":{"code":-1,"message":"client quota exceeded"}}')).toEqual({
      lanControl: true,
      deviceError: { code: -1, message: 'client quota exceeded' },
    });
    expect(parseYeelightReply('{"id":2,"result":[]}\nnot json\n[1]')).toBeNull();
  });
});

describe('Lumi gateway messages', () => {
  it('iam: port string, sid lower-case', () => {
    const iam = parseIam(Buffer.from('{"cmd":"iam","port":"9898","sid":"7811DCB07917","model":"gateway","proto_version":"1.1.2","ip":"10.0.4.104"}'));
    expect(iam).toEqual({ sid: '7811dcb07917', model: 'gateway', protoVersion: '1.1.2', port: 9898, claimedIp: '10.0.4.104' });
    expect(parseIam(Buffer.from('{"cmd":"iam","sid":"../etc"}'))).toBeNull();
    expect(parseIam(Buffer.from('{"cmd":"heartbeat","sid":"7811dcb07917"}'))).toBeNull();
    expect(parseIam(Buffer.from('garbage'))).toBeNull();
  });
  it('read_ack v1 (data string) and read_rsp v2 (params list); secrets dropped', () => {
    const v1 = parseReadReply(Buffer.from(JSON.stringify({ cmd: 'read_ack', model: 'gateway', sid: '7811dcb07917', data: JSON.stringify({ rgb: 0, illumination: 495, proto_version: '1.1.2', token: 'XRwvMrwu16ZZWxPe' }) })));
    expect(v1).toEqual({ cmd: 'read_ack', sid: '7811dcb07917', model: 'gateway', data: { rgb: 0, illumination: 495, proto_version: '1.1.2' } });
    const v2 = parseReadReply(Buffer.from(JSON.stringify({ cmd: 'read_rsp', sid: 'abcdef123456', params: [{ illumination: 10 }, { key: 'x' }, { nested: { a: 1 } }] })));
    expect(v2).toEqual({ cmd: 'read_rsp', sid: 'abcdef123456', data: { illumination: 10 } });
    expect(parseReadReply(Buffer.from('{"cmd":"write_ack","sid":"a"}'))).toBeNull();
  });
});
