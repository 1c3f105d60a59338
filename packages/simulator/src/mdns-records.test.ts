import { describe, expect, it } from 'vitest';
import { RR_TYPE, allRecords, answerQuestion, buildDeviceMdns, decodeMdnsQuery, encodeMdnsResponse } from './mdns-records.js';
import type { DeviceProfile } from './profile.js';

const purifier: DeviceProfile = {
  name: 'purifier', model: 'zhimi.airpurifier.m1', did: 54417276, token: '3'.repeat(32), mac: '28:6C:07:B9:D8:F1', fw_ver: '2.0.5', hw_ver: 'MW300',
  miio: {}, mdns: [{ type: '_miio._udp', malformedTxt: true }],
};

function query(name: string, type: number, id = 0): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([head, ...labels, Buffer.from([0]), tail]);
}

describe('device records (§4.1)', () => {
  it('names the instance <model-with-dashes>_miio<did>, SRV 54321 on a per-device host with an A record', () => {
    const d = buildDeviceMdns({ ...purifier, mdns: [{ type: '_miio._udp' }] }, '127.0.0.10');
    const s = d.services[0]!;
    expect(s.fqdn).toBe('zhimi-airpurifier-m1_miio54417276._miio._udp.local');
    expect(s.srv).toMatchObject({ type: 'SRV', data: { port: 54321, target: 'zhimi-airpurifier-m1_miio54417276.local' } });
    expect(s.txt.type === 'TXT' && s.txt.data.map(String)).toEqual(['epoch=1', 'mac=286c07b9d8f1']);
    expect(d.a).toEqual({ name: 'zhimi-airpurifier-m1_miio54417276.local', type: 'A', ttl: 120, data: '127.0.0.10' });
  });
});

describe('wire codec', () => {
  it('decodes query questions, including a compression pointer, and rejects junk', () => {
    expect(decodeMdnsQuery(query('_miio._udp.local', RR_TYPE.PTR))).toEqual([{ name: '_miio._udp.local', type: 12, qu: false }]);
    const q = query('_miio._udp.local', RR_TYPE.PTR);
    q.writeUInt16BE(2, 4);
    const second = Buffer.from([0xc0, 12, 0, 33, 0x80, 1]);
    expect(decodeMdnsQuery(Buffer.concat([q, second]))[1]).toEqual({ name: '_miio._udp.local', type: 33, qu: true });
    expect(() => decodeMdnsQuery(Buffer.alloc(5))).toThrow();
    const loop = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 12])]);
    expect(() => decodeMdnsQuery(loop)).toThrow(/loop|past the end/);
    const response = Buffer.from(query('a.local', 1));
    response.writeUInt16BE(0x8400, 2);
    expect(() => decodeMdnsQuery(response)).toThrow(/not a query/);
  });

  it('writes the malformed TXT exactly as the firmware does: rdata without its length byte', () => {
    const d = buildDeviceMdns(purifier, '127.0.0.10');
    const raw = new Map([[d.services[0]!.fqdn.toLowerCase(), d.services[0]!.rawTxt!]]);
    const pkt = encodeMdnsResponse(allRecords(d), [], raw);
    const needle = Buffer.from('epoch=0:mac=286c07b9d8f1', 'latin1');
    const at = pkt.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    // The two bytes before are RDLENGTH = the string length: no length-prefixed character-string.
    expect(pkt.readUInt16BE(at - 2)).toBe(needle.length);
    expect(pkt.readUInt16BE(6)).toBe(5); // PTR, SRV, TXT, meta PTR, A
  });

  it('answers PTR for its type and the DNS-SD meta query, and A for its host', () => {
    const d = buildDeviceMdns(purifier, '127.0.0.10');
    const ptr = answerQuestion(d, { name: '_miio._udp.local', type: RR_TYPE.PTR, qu: false });
    expect(ptr.answers.map((r) => r.type)).toEqual(['PTR']);
    expect(ptr.additionals.map((r) => r.type)).toEqual(['SRV', 'TXT', 'A']);
    expect(answerQuestion(d, { name: '_services._dns-sd._udp.local', type: RR_TYPE.PTR, qu: false }).answers[0]).toMatchObject({ data: '_miio._udp.local' });
    expect(answerQuestion(d, { name: d.host, type: RR_TYPE.A, qu: false }).answers).toEqual([d.a]);
    expect(answerQuestion(d, { name: '_hap._tcp.local', type: RR_TYPE.PTR, qu: false }).answers).toEqual([]);
  });
});
