import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DNS_TYPE, decodeLenient, encodeMessage, encodeName, type EncodableMessage } from './dns-message.js';
import { macFromTxt, parseMiioName, parseTxtStrings } from './names.js';
import { servicesFromMessage } from './services.js';
import { sightingFromService } from './sighting.js';

const INSTANCE = 'zhimi-airpurifier-m1_miio54417276._miio._udp.local';
const HOST = 'zhimi-airpurifier-m1_miio54417276.local';

function miioReply(txt: EncodableMessage['answers'] extends Array<infer R> | undefined ? R['data'] : never): EncodableMessage {
  return {
    response: true,
    answers: [{ name: '_miio._udp.local', data: { kind: 'PTR', target: INSTANCE } }],
    additionals: [
      { name: INSTANCE, cacheFlush: true, data: { kind: 'SRV', port: 54321, target: HOST } },
      { name: INSTANCE, cacheFlush: true, data: txt },
      { name: HOST, cacheFlush: true, data: { kind: 'A', address: '192.168.1.58' } },
    ],
  };
}

describe('lenient DNS decoder: round trip with our encoder', () => {
  it('decodes PTR, SRV, TXT and A exactly as encoded', () => {
    const buf = encodeMessage(miioReply({ kind: 'TXT', strings: ['epoch=1', 'mac=286c07b9d8f1'] }));
    const msg = decodeLenient(buf);
    expect(msg.problems).toEqual([]);
    expect(msg.isResponse).toBe(true);
    expect(msg.answers[0]).toMatchObject({ name: '_miio._udp.local', type: DNS_TYPE.PTR, data: { kind: 'PTR', target: INSTANCE } });
    expect(msg.additionals.map((r) => r.data.kind)).toEqual(['SRV', 'TXT', 'A']);
    expect(msg.additionals[0]!.cacheFlush).toBe(true);
    expect(msg.additionals[0]!.data).toMatchObject({ port: 54321, target: HOST });
    const txt = msg.additionals[1]!.data;
    expect(txt.kind === 'TXT' && txt.strings.map(String)).toEqual(['epoch=1', 'mac=286c07b9d8f1']);
    expect(msg.additionals[2]!.data).toEqual({ kind: 'A', address: '192.168.1.58' });
    // Our encoder agrees with the library on well-formed input.
    expect(() => dnsPacket.decode(buf)).not.toThrow();
  });

  it('follows compression pointers', () => {
    // Header, then question "_miio._udp.local" at offset 12, then a PTR whose name is a pointer to it.
    const q = encodeName('_miio._udp.local');
    const head = Buffer.from([0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0]);
    const qt = Buffer.from([0, 12, 0, 1]);
    const target = Buffer.concat([Buffer.from([4]), Buffer.from('inst'), Buffer.from([0xc0, 12])]);
    const rr = Buffer.concat([Buffer.from([0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 120, 0, target.length]), target]);
    const msg = decodeLenient(Buffer.concat([head, q, qt, rr]));
    expect(msg.problems).toEqual([]);
    expect(msg.answers[0]).toMatchObject({ name: '_miio._udp.local', data: { kind: 'PTR', target: 'inst._miio._udp.local' } });
  });
});

describe('lenient DNS decoder: malformed input never throws', () => {
  const good = encodeMessage(miioReply({ kind: 'TXT', strings: ['epoch=1'] }));
  const loop = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);
  const forward = Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /shorter than the 12-byte header/],
    ['11 bytes', Buffer.alloc(11), /shorter/],
    ['counts promise more than present', Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 5, 0, 0, 0, 0]), /bad record name/],
    ['self pointer', loop, /bad record name/],
    ['forward pointer', forward, /bad record name/],
    ['truncated mid-record', good.subarray(0, good.length - 3), /overruns|truncated|bad record/],
    ['label overruns', Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 60, 0x61]), /bad record name/],
    ['obsolete 0x40 label', Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x41, 0x61, 0]), /bad record name/],
    ['question truncated', Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0]), /question 0 truncated/],
  ];
  it.each(cases)('%s', (_label, buf, problem) => {
    const msg = decodeLenient(buf);
    expect(msg.problems.join('; ')).toMatch(problem);
  });

  it('keeps records before the fault', () => {
    const msg = decodeLenient(good.subarray(0, good.length - 3));
    expect(msg.answers).toHaveLength(1);
    expect(msg.additionals.length).toBeGreaterThanOrEqual(2);
  });

  it('a bad A rdata length costs only that record', () => {
    const buf = encodeMessage({
      answers: [
        { name: 'h.local', data: { kind: 'RAW', type: DNS_TYPE.A, raw: Buffer.from([1, 2, 3]) } },
        { name: 'h.local', data: { kind: 'A', address: '10.0.0.9' } },
      ],
    });
    const msg = decodeLenient(buf);
    expect(msg.answers[0]!.data.kind).toBe('OTHER');
    expect(msg.answers[1]!.data).toEqual({ kind: 'A', address: '10.0.0.9' });
    expect(msg.problems).toHaveLength(1);
  });
});

describe('captured-style reply with the broken TXT (zhimi.airpurifier.m1, protocols.md §4.1)', () => {
  // The device writes "epoch=0:mac=<hex>\0" without the length byte in front of it.
  const brokenTxt = Buffer.from('epoch=0:mac=286c07b9d8f1\x00', 'latin1');
  const buf = encodeMessage(miioReply({ kind: 'RAW', type: DNS_TYPE.TXT, raw: brokenTxt }));

  it('is rejected whole by dns-packet (so multicast-dns / bonjour never see the device)', () => {
    expect(() => dnsPacket.decode(buf)).toThrow();
  });

  it('decodes leniently: SRV, A and the TXT as raw with the MAC recoverable', () => {
    const msg = decodeLenient(buf);
    expect(msg.problems).toEqual([]);
    const [svc] = servicesFromMessage(msg);
    expect(svc).toMatchObject({ type: '_miio._udp', name: 'zhimi-airpurifier-m1_miio54417276', port: 54321, txtMalformed: true, addresses: ['192.168.1.58'] });
    const s = sightingFromService(svc!, 'mdns-lenient', 0, '192.168.1.58');
    expect(s).toMatchObject({ ip: '192.168.1.58', mac: '28:6C:07:B9:D8:F1', deviceId: '54417276', model: 'zhimi.airpurifier.m1' });
  });
});

describe('instance names and TXT', () => {
  it('parses model and did, including a 6-digit did', () => {
    expect(parseMiioName('zhimi-airpurifier-m1_miio54417276._miio._udp.local.')).toEqual({ model: 'zhimi.airpurifier.m1', deviceId: '54417276' });
    expect(parseMiioName('zhimi-airpurifier-v3_miio420693')).toEqual({ model: 'zhimi.airpurifier.v3', deviceId: '420693' });
    expect(parseMiioName('lumi-gateway-v3_miio56782504.local')).toEqual({ model: 'lumi.gateway.v3', deviceId: '56782504' });
  });
  it('rejects names that only look similar', () => {
    for (const n of ['_miio123', 'Valetudo abc', 'foo_miio', 'foo_miio12x', 'foo_miio123456789012345678901', 'bad model_miio1']) {
      expect(parseMiioName(n)).toBeNull();
    }
  });
  it('MAC from TXT mac, the poch quirk, or raw bytes', () => {
    expect(macFromTxt({ epoch: '1', mac: '34ce00889149' })).toBe('34ce00889149');
    expect(macFromTxt({ poch: '0:mac=286c07b9d8f1\x00' })).toBe('286c07b9d8f1');
    expect(macFromTxt({}, [Buffer.from('epoch=0:mac=286C07B9D8F1\x00')])).toBe('286c07b9d8f1');
    expect(macFromTxt({ mac: 'nothex' })).toBeNull();
  });
  it('TXT strings: first "=" splits, keys lower-case, first duplicate wins', () => {
    expect(parseTxtStrings(['epoch=1', 'MD=lumi.gateway.acn01', 'k=a=b', 'flag', 'epoch=2', ''])).toEqual({
      epoch: '1',
      md: 'lumi.gateway.acn01',
      k: 'a=b',
      flag: '',
    });
  });
  it('Aqara TXT gives model and firmware', () => {
    const msg = decodeLenient(
      encodeMessage({
        answers: [
          { name: '_aqara._tcp.local', data: { kind: 'PTR', target: 'Aqara Hub M2-1A2B._aqara._tcp.local' } },
          { name: 'Aqara Hub M2-1A2B._aqara._tcp.local', data: { kind: 'SRV', port: 443, target: 'lumi-gateway-m2.local' } },
          { name: 'Aqara Hub M2-1A2B._aqara._tcp.local', data: { kind: 'TXT', strings: ['md=lumi.gateway.acn01', 'fw=3.5.0_0013.0004', 'cl=aiot'] } },
        ],
      }),
    );
    const [svc] = servicesFromMessage(msg);
    const s = sightingFromService(svc!, 'mdns', 0, '10.0.0.5');
    expect(s).toMatchObject({ ip: '10.0.0.5', model: 'lumi.gateway.acn01', firmware: { version: '3.5.0_0013.0004' } });
    expect(s.names).toEqual(['Aqara Hub M2-1A2B', 'lumi-gateway-m2']);
  });
});
