import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  TokensFileError,
  detectTokenFileFormat,
  loadTokenFile,
  loadTokenFiles,
  matchToken,
  normaliseMac,
  parseTokenFile,
  type TokenEntry,
  type TokenFileFormat,
} from './index.js';

const fixtures = fileURLToPath(new URL('../../../../test/fixtures/tokens/', import.meta.url));
const fx = (name: string): string => fixtures + name;
const read = (name: string): string => readFileSync(fx(name), 'utf8');

const VACUUM = '5f1c2b3a4d6e7f8091a2b3c4d5e6f708';
const PURIFIER = '1234abcd1234abcd1234abcd1234abcd';
const LAMP = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const GATEWAY = '0a9b8c7d6e5f40312a3b4c5d6e7f8091';
const ALL_SECRETS = [VACUUM, PURIFIER, LAMP, GATEWAY, '00112233445566778899aabb', 'ffeeddccbbaa99887766554433221100'];

const plain = (e: TokenEntry) => ({
  token: e.token.revealHex(),
  deviceId: e.deviceId,
  mac: e.mac,
  ip: e.ip,
  host: e.host,
  model: e.model,
  name: e.name,
  index: e.source.index,
});

describe('format detection', () => {
  it.each<[string, TokenFileFormat]>([
    ['extractor-devices.json', 'extractor-json'],
    ['extractor-output.txt', 'extractor-text'],
    ['miiocli-cloud-raw.json', 'miiocli-cloud'],
    ['node-miio-tokens.json', 'node-miio'],
    ['core.config_entries', 'home-assistant'],
    ['native.csv', 'native-csv'],
    ['native-headerless.csv', 'native-csv'],
    ['native-list.json', 'native-json'],
    ['native-map.json', 'native-json'],
  ])('%s → %s', (file, format) => {
    expect(detectTokenFileFormat(read(file))).toBe(format);
    expect(parseTokenFile(read(file), file).format).toBe(format);
  });

  it('returns null for prose', () => {
    expect(detectTokenFileFormat('hello world\nno tokens here')).toBeNull();
  });
});

describe('Xiaomi-cloud-tokens-extractor JSON (-o)', () => {
  const parsed = parseTokenFile(read('extractor-devices.json'), 'x.json');
  it('imports Wi-Fi devices across servers and homes', () => {
    expect(parsed.entries.map(plain)).toEqual([
      { token: VACUUM, deviceId: '277962183', mac: '78:11:DC:12:34:56', ip: '192.168.1.21', host: undefined, model: 'roborock.vacuum.s5', name: 'Robot vacuum', index: 0 },
      { token: GATEWAY, deviceId: '91234567', mac: '34:CE:00:AA:BB:CC', ip: '192.168.1.30', host: undefined, model: 'lumi.gateway.v3', name: 'Gateway', index: 3 },
    ]);
    expect(parsed.entries[0]!.source).toEqual({ file: 'x.json', format: 'extractor-json', index: 0 });
  });
  it('lists BLE and Zigbee sub-devices as skipped, with reasons', () => {
    expect(parsed.skipped).toEqual([
      { index: 1, reason: 'device id is not a miIO (uint32) id: sub-device or BLE', deviceId: 'blt.3.1abcdefgh000', model: 'miaomiaoce.sensor_ht.t2' },
      { index: 2, reason: 'device id is not a miIO (uint32) id: sub-device or BLE', deviceId: 'lumi.158d000aaaaaaa', model: 'lumi.sensor_magnet.v2' },
    ]);
  });
});

describe('extractor printed blocks', () => {
  const parsed = parseTokenFile(read('extractor-output.txt'), 'out.txt');
  it('parses blocks, strips ANSI colour, ignores BLE KEY', () => {
    expect(parsed.entries.map(plain)).toEqual([
      { token: LAMP, deviceId: '55443322', mac: 'F8:24:41:0A:0B:0C', ip: '192.168.1.40', host: undefined, model: 'yeelink.light.color1', name: 'Living room lamp', index: 0 },
      { token: PURIFIER, deviceId: '81001836', mac: '28:6C:07:B9:D8:F1', ip: '192.168.1.41', host: undefined, model: 'zhimi.airpurifier.m1', name: 'Air purifier', index: 2 },
    ]);
    expect(parsed.skipped.map((s) => s.index)).toEqual([1]);
    expect(JSON.stringify(parsed)).not.toContain('ffeeddcc');
  });
  it('handles blocks without separators', () => {
    const text = `NAME: a\nID: 1\nTOKEN: ${VACUUM}\nMODEL: m.a\nNAME: b\nID: 2\nTOKEN: ${LAMP}\n`;
    expect(parseTokenFile(text, 't').entries.map((e) => [e.deviceId, e.name])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });
});

describe('miiocli cloud list --raw', () => {
  it('imports raw cloud records', () => {
    const parsed = parseTokenFile(read('miiocli-cloud-raw.json'), 'raw.json');
    expect(parsed.entries.map((e) => [e.deviceId, e.token.revealHex(), e.ip, e.mac])).toEqual([
      ['277962183', VACUUM, '192.168.1.21', '78:11:DC:12:34:56'],
      ['81001836', PURIFIER, '192.168.1.41', '28:6C:07:B9:D8:F1'],
    ]);
  });
});

describe('node-miio tokens.json', () => {
  it('maps device id → token (hex case-insensitive)', () => {
    const parsed = parseTokenFile(read('node-miio-tokens.json'), 'tokens.json');
    // JS orders integer-like keys numerically, whatever the file order.
    expect(parsed.entries.map((e) => [e.deviceId, e.token.revealHex()])).toEqual([
      ['55443322', LAMP],
      ['277962183', VACUUM],
    ]);
  });
});

describe('Home Assistant core.config_entries', () => {
  const parsed = parseTokenFile(read('core.config_entries'), 'core.config_entries');
  it('imports only xiaomi_miio entries: host, token, model, mac, title', () => {
    expect(parsed.entries.map(plain)).toEqual([
      { token: VACUUM, deviceId: undefined, mac: '78:11:DC:12:34:56', ip: '192.168.1.21', host: undefined, model: 'roborock.vacuum.s5', name: 'Roborock S5', index: 0 },
      { token: GATEWAY, deviceId: undefined, mac: '34:CE:00:AA:BB:CC', ip: undefined, host: 'gateway.lan', model: 'lumi.gateway.v3', name: 'Mi Gateway', index: 1 },
    ]);
  });
  it('never carries the cloud credentials', () => {
    expect(JSON.stringify(parsed.entries.map(plain))).not.toContain('not-a-real-password');
  });
  it('skips (not silently) a xiaomi_miio entry without token', () => {
    const doc = { key: 'core.config_entries', data: { entries: [{ domain: 'xiaomi_miio', title: 'x', data: { host: '10.0.0.1', token: VACUUM } }, { domain: 'xiaomi_miio', title: 'cloud', data: { model: 'm' } }] } };
    const p = parseTokenFile(JSON.stringify(doc), 'ha');
    expect(p.entries).toHaveLength(1);
    expect(p.skipped).toEqual([{ index: 1, reason: 'xiaomi_miio entry without a token', model: 'm' }]);
  });
});

describe('native CSV and JSON', () => {
  it('CSV with header, quoted names and sparse identity columns', () => {
    const parsed = parseTokenFile(read('native.csv'), 'n.csv');
    expect(parsed.entries.map(plain)).toEqual([
      { token: VACUUM, deviceId: '277962183', mac: '78:11:DC:12:34:56', ip: '192.168.1.21', host: undefined, model: 'roborock.vacuum.s5', name: 'Vacuum, upstairs', index: 0 },
      { token: PURIFIER, deviceId: undefined, mac: '28:6C:07:B9:D8:F1', ip: undefined, host: undefined, model: 'zhimi.airpurifier.m1', name: 'Purifier', index: 1 },
      { token: LAMP, deviceId: undefined, mac: undefined, ip: '192.168.1.40', host: undefined, model: undefined, name: undefined, index: 2 },
    ]);
  });
  it('headerless CSV key;token[;model[;name]] classifies keys', () => {
    const parsed = parseTokenFile(read('native-headerless.csv'), 'h.csv');
    expect(parsed.entries.map((e) => [e.deviceId, e.mac, e.ip, e.model, e.name])).toEqual([
      ['277962183', undefined, undefined, 'roborock.vacuum.s5', 'Vacuum'],
      [undefined, '78:11:DC:00:00:01', undefined, undefined, undefined],
      [undefined, undefined, '192.168.1.40', undefined, undefined],
    ]);
  });
  it('JSON list and JSON map give the same identities', () => {
    const list = parseTokenFile(read('native-list.json'), 'l.json').entries.map((e) => [e.deviceId, e.mac, e.ip, e.token.revealHex()]);
    const map = parseTokenFile(read('native-map.json'), 'm.json').entries.map((e) => [e.deviceId, e.mac, e.ip, e.token.revealHex()]);
    expect(list).toEqual(map);
    expect(list).toHaveLength(3);
  });
});

describe('normaliseMac', () => {
  it.each([
    ['78:11:dc:12:34:56', '78:11:DC:12:34:56'],
    ['78-11-DC-12-34-56', '78:11:DC:12:34:56'],
    ['7811dc123456', '78:11:DC:12:34:56'],
    ['7811.dc12.3456', '78:11:DC:12:34:56'],
    ['78:11-dc:12:34:56', undefined],
    ['78:11:dc:12:34', undefined],
    ['zz:11:dc:12:34:56', undefined],
  ])('%s → %s', (input, out) => expect(normaliseMac(input)).toBe(out));
});

describe('malformed files are typed errors, never partial imports', () => {
  const cases: [string, string, string, RegExp][] = [
    ['empty', '   \n', 'empty', /file is empty/],
    ['binary', 'abc\u0000def', 'malformed', /binary/],
    ['bad JSON', `{"277962183": "${VACUUM}",,}`, 'malformed', /invalid JSON near line 1/],
    ['prose', 'just some words', 'unknown-format', /not a known tokens format/],
    ['native bad token length', `[{"did": 1, "token": "${VACUUM.slice(0, 30)}"}]`, 'bad-entry', /entry 0: token is not 32 hex characters \(30 characters\)/],
    ['native non-hex token', `[{"did": 1, "token": "${'z'.repeat(32)}"}]`, 'bad-entry', /token is not 32 hex/],
    ['native token not a string', '[{"did": 1, "token": 5}]', 'bad-entry', /token is not a string/],
    ['native no identity', `[{"token": "${VACUUM}"}]`, 'bad-entry', /needs a device id, MAC or IP/],
    ['native bad MAC', `[{"mac": "78:11", "token": "${VACUUM}"}]`, 'bad-entry', /MAC is not 6 hex octets/],
    ['native bad did', `[{"did": "abc", "token": "${VACUUM}"}]`, 'bad-entry', /device id is not a decimal uint32/],
    ['map bad key', `{"${VACUUM}": "277962183"}`, 'bad-entry', /key is not a device id, MAC or IPv4/],
    ['node-miio bad token', `{"1": "${VACUUM}", "2": "nope"}`, 'bad-entry', /entry 1: token is not 32 hex/],
    ['csv swapped columns', `${VACUUM},277962183`, 'bad-entry', /line 1: first field is not a device id/],
    ['csv too many fields', `did,token\n1,${VACUUM},extra`, 'malformed', /line 2: row has 3 fields/],
    ['csv unterminated quote', `did,token,name\n1,${VACUUM},"open`, 'malformed', /unterminated quoted field/],
    ['csv header without identity', `token,model\n${VACUUM},m`, 'malformed', /needs a did, mac or ip column/],
    ['HA entries not a list', '{"key":"core.config_entries","data":{"entries":5}}', 'malformed', /data.entries to be a list/],
    ['HA bad token', `{"key":"core.config_entries","data":{"entries":[{"domain":"xiaomi_miio","data":{"host":"1.2.3.4","token":"${VACUUM}0"}}]}}`, 'bad-entry', /33 characters/],
    ['extractor JSON bad homes', '[{"server":"de","homes":[5]}]', 'malformed', /home 0 is not an object/],
    ['extractor only sub-devices', '[{"server":"de","homes":[{"devices":[{"did":"blt.1","token":""}]}]}]', 'empty', /no usable miIO tokens \(1 record\(s\) skipped/],
    ['cloud raw record not object', '[{"did":"1","localip":"1.1.1.1","token":"' + VACUUM + '"}, 7]', 'malformed', /entry 1: device record is not an object/],
  ];
  it.each(cases)('%s', (_name, text, problem, message) => {
    let caught: unknown;
    try {
      parseTokenFile(text, '/home/u/tokens.txt');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TokensFileError);
    const e = caught as TokensFileError;
    expect(e.code).toBe('MIIO_ERR_TOKENS_FILE');
    expect(e.problem).toBe(problem);
    expect(e.file).toBe('/home/u/tokens.txt');
    expect(e.message).toContain('/home/u/tokens.txt');
    expect(e.message).toMatch(message);
    // The secret never appears in the message, the stack, the inspected form or a cause.
    for (const secret of [VACUUM, VACUUM.slice(0, 30), VACUUM.toUpperCase()]) {
      expect(e.message.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(String(e.stack).toLowerCase()).not.toContain(secret.toLowerCase());
      expect(inspect(e, { depth: 5 }).toLowerCase()).not.toContain(secret.toLowerCase());
    }
    expect(e.cause).toBeUndefined();
  });
});

describe('secrets never leak through entries, logs or errors', () => {
  it('entries serialise and inspect with fingerprints only', () => {
    for (const file of ['extractor-devices.json', 'extractor-output.txt', 'miiocli-cloud-raw.json', 'node-miio-tokens.json', 'core.config_entries', 'native.csv', 'native-map.json']) {
      const parsed = parseTokenFile(read(file), file);
      const outputs = [JSON.stringify(parsed), inspect(parsed, { depth: 10 }), String(parsed.entries.map(String)), `${parsed.entries[0]!.token}`];
      for (const out of outputs) {
        for (const secret of ALL_SECRETS) expect(out.toLowerCase()).not.toContain(secret);
      }
      expect(JSON.stringify(parsed)).toContain('tok:');
    }
  });
  it('invalid JSON error does not echo the V8 source excerpt', () => {
    const text = `{"a": "${VACUUM}" oops}`;
    let native = '';
    try {
      JSON.parse(text);
    } catch (e) {
      native = (e as Error).message;
    }
    expect(() => parseTokenFile(text, 'f')).toThrow(TokensFileError);
    try {
      parseTokenFile(text, 'f');
    } catch (e) {
      expect((e as Error).message).not.toContain(VACUUM);
      // Show the guard matters on this engine when V8 quotes input in its messages.
      if (native.includes(VACUUM.slice(0, 8))) expect((e as Error).message).not.toBe(native);
    }
  });
});

describe('matchToken', () => {
  const entries = parseTokenFile(read('native.csv'), 'n.csv').entries;
  it('matches by device id first', () => {
    const m = matchToken(entries, { deviceId: 277962183, mac: '28:6c:07:b9:d8:f1', ip: '192.168.1.40' });
    expect(m?.matchedBy).toBe('deviceId');
    expect(m?.token.revealHex()).toBe(VACUUM);
  });
  it('then by MAC (any notation)', () => {
    const m = matchToken(entries, { deviceId: '999', mac: '286c07b9d8f1', ip: '192.168.1.40' });
    expect(m?.matchedBy).toBe('mac');
    expect(m?.token.revealHex()).toBe(PURIFIER);
  });
  it('then by IP', () => {
    const m = matchToken(entries, { ip: '192.168.1.40' });
    expect(m?.matchedBy).toBe('ip');
    expect(m?.token.revealHex()).toBe(LAMP);
  });
  it('refuses an IP/MAC candidate whose device id contradicts the query', () => {
    expect(matchToken(entries, { deviceId: '123', ip: '192.168.1.21' })).toBeUndefined();
    expect(matchToken(entries, { deviceId: '123', mac: '78:11:DC:12:34:56' })).toBeUndefined();
  });
  it('returns undefined when nothing matches', () => {
    expect(matchToken(entries, { deviceId: 5, mac: '00:00:00:00:00:01', ip: '10.0.0.1' })).toBeUndefined();
    expect(matchToken(entries, {})).toBeUndefined();
  });
});

describe('loader', () => {
  it('reads files from disk and reports the format', async () => {
    const p = await loadTokenFile(fx('core.config_entries'));
    expect(p.format).toBe('home-assistant');
    expect(p.file).toBe(fx('core.config_entries'));
  });
  it('loads several files; first file wins on conflicting tokens, with a fingerprint-only warning', async () => {
    const text = JSON.stringify({ '277962183': LAMP });
    const reader = {
      size: async (f: string) => (f === 'mem' ? text.length : 10),
      read: async (f: string) => (f === 'mem' ? Buffer.from(text) : readFileSync(fx('node-miio-tokens.json'))),
    };
    const loaded = await loadTokenFiles(['disk', 'mem'], { reader });
    expect(loaded.entries).toHaveLength(3);
    expect(matchToken(loaded.entries, { deviceId: 277962183 })?.token.revealHex()).toBe(VACUUM);
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/device 277962183: mem has a different token \(tok:[0-9a-f]{12}\)/);
    for (const s of ALL_SECRETS) expect(loaded.warnings.join()).not.toContain(s);
  });
  it('missing file → unreadable, naming the file', async () => {
    await expect(loadTokenFile('/nonexistent/tokens.json')).rejects.toMatchObject({
      code: 'MIIO_ERR_TOKENS_FILE',
      problem: 'unreadable',
      message: expect.stringContaining('/nonexistent/tokens.json: no such file (ENOENT)'),
    });
  });
  it('a directory → unreadable', async () => {
    await expect(loadTokenFile(fixtures)).rejects.toMatchObject({ problem: 'unreadable' });
  });
  it('over the size cap → too-large, without reading', async () => {
    let readCalled = false;
    const reader = { size: async () => 100, read: async () => ((readCalled = true), Buffer.alloc(0)) };
    await expect(loadTokenFile('big', { reader, maxBytes: 10 })).rejects.toMatchObject({ problem: 'too-large' });
    expect(readCalled).toBe(false);
  });
  it('one bad file fails the whole import', async () => {
    await expect(loadTokenFiles([fx('native.csv'), fx('README.md')])).rejects.toMatchObject({ code: 'MIIO_ERR_TOKENS_FILE', file: fx('README.md') });
  });
});
