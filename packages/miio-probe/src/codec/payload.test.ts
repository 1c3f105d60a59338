/** Tolerant payload decoding: every device quirk of protocols.md §1.7, and nothing more. */
import { describe, expect, it } from 'vitest';
import { type PayloadQuirk, decodePayload, encodePayload } from './index.js';

const dec = (text: string | Buffer) => decodePayload(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

interface QuirkCase {
  name: string;
  input: string | Buffer;
  value: unknown;
  quirks: PayloadQuirk[];
}

const quirkCases: QuirkCase[] = [
  { name: 'one trailing NUL (python-miio requests)', input: '{"id":1,"result":0}\0', value: { id: 1, result: 0 }, quirks: ['trailing-nul'] },
  { name: 'many trailing NULs (ha_xiaomi_home rstrip)', input: '{"id":1,"result":0}\0\0\0\0', value: { id: 1, result: 0 }, quirks: ['trailing-nul'] },
  {
    name: 'garbage after an embedded NUL (_sync.batch_gen_room_up_url)',
    input: Buffer.concat([Buffer.from('{"id":3,"result":["ok"]}\0'), Buffer.from([0x8f, 0xff, 0x01, 0x7b, 0x22])]),
    value: { id: 3, result: ['ok'] },
    quirks: ['garbage-after-nul'],
  },
  {
    name: 'garbage after NUL then trailing NULs',
    input: '{"id":3,"result":1}\0xx{\0\0',
    value: { id: 3, result: 1 },
    quirks: ['trailing-nul', 'garbage-after-nul'],
  },
  {
    name: ',,"otu_stat" (powerstrip without cloud)',
    input: '{"id":1,"result":{"ot":"otu",,"otu_stat":[1,2]}}',
    value: { id: 1, result: { ot: 'otu', otu_stat: [1, 2] } },
    quirks: ['double-comma'],
  },
  {
    name: ',, between members (xiaomi.vacuum.b112)',
    input: '{"id":1,,"result":{"a":1,,"b":2}}',
    value: { id: 1, result: { a: 1, b: 2 } },
    quirks: ['double-comma'],
  },
  {
    name: '"result":, (xiaomi.vacuum.b112)',
    input: '{"id":7,"result":,"exe_time":10}',
    value: { id: 7, result: null, exe_time: 10 },
    quirks: ['empty-value'],
  },
  { name: '"result":} at the end', input: '{"id":7,"result":}', value: { id: 7, result: null }, quirks: ['empty-value'] },
  {
    name: '"value":00 (090615.curtain.jldj03)',
    input: '{"id":2,"result":[{"siid":2,"piid":1,"value":00}]}',
    value: { id: 2, result: [{ siid: 2, piid: 1, value: 0 }] },
    quirks: ['leading-zero-number'],
  },
  { name: '"value":007', input: '{"value":007}', value: { value: 7 }, quirks: ['leading-zero-number'] },
  { name: '[,] (lumi sub-devices, node-miio safeishJSON)', input: '{"id":1,"result":[,]}', value: { id: 1, result: [null, null] }, quirks: ['sparse-array'] },
  {
    name: '[,,] (lumi.motion.aq2)',
    input: '{"id":1,"result":[,,]}',
    value: { id: 1, result: [null, null, null] },
    quirks: ['sparse-array'],
  },
  { name: 'empty payload (mgl03 without Internet)', input: '', value: null, quirks: [] },
  { name: 'NUL-only payload', input: '\0\0', value: null, quirks: ['trailing-nul'] },
  {
    name: 'raw control characters inside a string (node-miio strips them)',
    input: '{"id":1,"result":"a\tb\u0001c"}',
    value: { id: 1, result: 'abc' },
    quirks: ['control-chars'],
  },
  {
    name: 'several quirks at once',
    input: '{"id":1,,"result":[,],"v":00,"e":,}\0\0',
    value: { id: 1, result: [null, null], v: 0, e: null },
    quirks: ['trailing-nul', 'double-comma', 'sparse-array', 'leading-zero-number', 'empty-value'],
  },
];

describe('decodePayload quirks (§1.7)', () => {
  it.each(quirkCases)('$name', ({ input, value, quirks }) => {
    const out = dec(input);
    expect(out.value).toEqual(value);
    expect([...out.quirks].sort()).toEqual([...quirks].sort());
    expect(out.empty).toBe(value === null && quirks.every((q) => q === 'trailing-nul'));
  });

  it('the empty payload is flagged empty; the JSON literal null is not', () => {
    expect(dec('')).toEqual({ value: null, empty: true, quirks: [] });
    expect(dec('null')).toEqual({ value: null, empty: false, quirks: [] });
  });

  it('valid JSON takes the strict path: no quirks reported', () => {
    const text = '{"id":1,"result":{"ssid":"a,,b","n":[0,0.5,-0,10,100],"s":"[,] ,, :, 00"}}';
    expect(dec(text)).toEqual({ value: JSON.parse(text), empty: false, quirks: [] });
  });
});

describe('quirk-like text inside strings is untouched', () => {
  // Each payload also contains a real quirk, so the repair pass runs over the strings.
  const strings = [
    'a,,b',
    ',,"otu_stat"',
    '"result":,',
    '"value":00',
    '[,]',
    '[,,]',
    '{,}',
    'x:}',
    '"quoted,,"',
    '00',
    'back\\slash,,',
    'tab\\t,,',
  ];
  it.each(strings)('%s', (s) => {
    // JSON.stringify escapes the quotes: the quirk text is string content, not structure.
    const expected = s;
    const literal = JSON.stringify(s);
    const out = dec(`{"id":1,,"result":{"ssid":${literal},"list":[${literal},,${literal}],"v":00}}`);
    expect(out.quirks).toContain('double-comma');
    expect(out.value).toEqual({ id: 1, result: { ssid: expected, list: [expected, null, expected], v: 0 } });
  });

  it('a real SSID with ,, in a cuco-like reply that also has a quirk', () => {
    const out = dec('{"id":1,"result":{"ap":{"ssid":"My,,Wifi [,] 00","rssi":-53},,"otu_stat":[]}}');
    expect(out.value).toEqual({ id: 1, result: { ap: { ssid: 'My,,Wifi [,] 00', rssi: -53 }, otu_stat: [] } });
  });
});

describe('encodePayload', () => {
  it('adds one trailing NUL by default, none on request, and round-trips', () => {
    const v = { id: 9, method: 'miIO.info', params: [] };
    const withNul = encodePayload(v);
    expect(withNul[withNul.length - 1]).toBe(0);
    expect(withNul.subarray(0, -1).toString()).toBe(JSON.stringify(v));
    expect(encodePayload(v, { trailingNul: false }).toString()).toBe(JSON.stringify(v));
    expect(dec(withNul).value).toEqual(v);
  });
  it('keeps non-ASCII as UTF-8', () => {
    const v = { ssid: 'Café 🏠 小米' };
    expect(dec(encodePayload(v)).value).toEqual(v);
  });
});
