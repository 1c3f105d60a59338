/**
 * Every hostile-input parser of xmscan as a fuzz target (issue 8): what a device, a LAN peer or a
 * user's tokens file can put in front of us. Each target mixes raw random bytes with inputs shaped
 * like the real thing (right magic, right keys, deep nesting) so the fuzzer gets past the first
 * cheap check. The property itself lives in harness.ts.
 */
import fc from 'fast-check';
import {
  HEADER_LENGTH,
  TOKEN_FILE_FORMATS,
  Token,
  TelnetDecoder,
  compareFirmwareVersions,
  compareParsedVersions,
  decodeConnack,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  dechunk,
  detectTokenFileFormat,
  encodeHeader,
  encodePacket,
  extractTitle,
  firmwareVersionMatches,
  hasSshLine,
  headEnd,
  looksLikePrompt,
  packetChecksum,
  parseFirmwareVersion,
  parseIam,
  parseInitInfo,
  parseJsonObject,
  parseMiioInfo,
  parseReadReply,
  parseResponse,
  parseResponseHead,
  parseSshBanner,
  parseTokenFile,
  parseYeelightReply as parseYeelightControlReply,
  probePort,
  serviceFromBanner,
  telnetHostname,
  versionSchemeForModel,
  type TcpConnector,
  type TokenFileFormat,
} from '@xmscan/miio-probe';
import { decodeLenient, encodeMessage, parseLumiIam, parseYeelightReply as parseYeelightSearchReply, servicesFromMessage } from '@xmscan/scanner';
import type { FuzzTarget } from './harness.js';

const token = Token.fromHex('ed0ec8e98fd21edd701ee653713a293b');

// ------------------------------------------------------------------------------------------ shared arbitraries

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
const ascii = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength });

const hex = (maxLength: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength });
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/**
 * Nesting the way a hostile device nests: `[[[…]]]`, `{"a":{"a":…}}`, or opened and never closed;
 * at most `maxBytes` long (a miIO datagram carries at most 64 KiB, so deeper fits no packet).
 */
function deepJsonUpTo(maxBytes: number): fc.Arbitrary<string> {
  const perLevel = { array: 2, object: 6, unclosed: 1, mixed: 8 } as const;
  return fc
    .record({ depth: fc.integer({ min: 1, max: 100_000 }), kind: fc.constantFrom('array', 'object', 'unclosed', 'mixed') })
    .map(({ depth: wanted, kind }) => {
      const depth = Math.max(1, Math.min(wanted, Math.floor(maxBytes / perLevel[kind])));
      switch (kind) {
        case 'array':
          return '['.repeat(depth) + ']'.repeat(depth);
        case 'object':
          return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        case 'unclosed':
          return '['.repeat(depth);
        default:
          return '[{"a":'.repeat(depth) + '0' + '}]'.repeat(depth);
      }
    });
}
/** Up to 100 000 levels (200 KB): parsers of files and HTTP bodies see more than a datagram. */
const deepJson = deepJsonUpTo(200_000);
/** What still fits a miIO datagram once wrapped and encrypted. */
const deepJsonDatagram = deepJsonUpTo(60_000);

/** JSON text with the quirk characters of device firmware over-represented. */
const jsonish = fc
  .array(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '0', '00', '1', '-', 'e', '.', ' ', 'a', 'null', 'true', '"id"', '"result"', '"cmd"', '"sid"', '"data"', '\0', '\u0001', 'é', '\uFEFF'), { maxLength: 120 })
  .map((parts) => parts.join(''));

/** An object with keys a parser looks for and random (often wrong-typed) values. */
function keyedObject(keys: readonly string[], depth = 2): fc.Arbitrary<Record<string, unknown>> {
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: depth }) },
    { weight: 2, arbitrary: text(40) },
    { weight: 1, arbitrary: hex(40) },
    { weight: 1, arbitrary: fc.constantFrom('04:CF:8C:12:34:56', '10.0.0.2', 'ed0ec8e98fd21edd701ee653713a293b', '0', '-1', '', '1.0.54', 'iam', 'read_ack') },
  );
  return fc.dictionary(fc.oneof(fc.constantFrom(...keys), text(12)), value, { maxKeys: keys.length + 3 });
}

/** A JSON document: plain random, shaped by `keys`, deep, or mangled. */
function jsonDocument(keys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: keyedObject(keys).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: jsonish },
    {
      weight: 1,
      arbitrary: fc
        .tuple(keyedObject(keys), fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 })), { maxLength: 4 }))
        .map(([o, cuts]) => {
          let s = JSON.stringify(o);
          for (const [at, ins] of cuts) {
            const i = s.length === 0 ? 0 : at % s.length;
            s = s.slice(0, i) + ins + s.slice(i + 1);
          }
          return s;
        }),
    },
  );
}


// ------------------------------------------------------------------------------------------ miIO codec

const framedBytes = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((rest) => {
  const buf = Buffer.alloc(HEADER_LENGTH + rest.length);
  buf.set(rest, HEADER_LENGTH);
  buf.writeUInt16BE(0x2131, 0);
  buf.writeUInt16BE(buf.length, 2);
  return buf;
});
const checksummed = fc.uint8Array({ minLength: 1, maxLength: 256 }).map((ct) => {
  const hdr = encodeHeader({ length: HEADER_LENGTH + ct.length, deviceId: 1, stamp: 2 });
  hdr.set(packetChecksum(hdr, token, ct), 16);
  return Buffer.concat([hdr, ct]);
});
/** A well-formed encrypted packet whose payload is hostile JSON (deep, huge, mangled). */
const hostilePacket = fc
  .oneof(jsonDocument(['id', 'result', 'error', 'model', 'token', 'fw_ver']).filter((j) => j.length < 60_000), deepJsonDatagram.map((d) => `{"id":1,"result":{"model":"a.b.c","x":${d}}}`))
  .map((json) => encodePacket(token, { deviceId: 7, stamp: 9, payload: utf8(json) }));
const anyDatagram = fc.oneof(bytes(1500), framedBytes, checksummed, hostilePacket);

// ------------------------------------------------------------------------------------------ tokens files

const cloudKeys = ['did', 'token', 'mac', 'localip', 'model', 'name', 'isOnline', 'pid', 'parent_id', 'ssid', 'ip'];
const cloudRecord = keyedObject(cloudKeys);
const tokenDocs: Record<TokenFileFormat, fc.Arbitrary<string>> = {
  'extractor-json': fc.array(cloudRecord, { maxLength: 6 }).map((devices) => JSON.stringify([{ server: 'cn', homes: [{ devices }] }])),
  'miiocli-cloud': fc.array(cloudRecord, { maxLength: 6 }).map((list) => JSON.stringify(list)),
  'node-miio': fc.dictionary(fc.oneof(fc.stringMatching(/^\d{1,10}$/), text(8)), fc.oneof(hex(34), text(10)), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  'home-assistant': fc
    .array(fc.record({ domain: fc.constantFrom('xiaomi_miio', 'hue', 1), title: text(10), unique_id: fc.oneof(text(17), fc.constant('04:CF:8C:12:34:56')), data: keyedObject(['token', 'host', 'mac', 'model']) }), { maxLength: 5 })
    .map((entries) => JSON.stringify({ version: 1, key: 'core.config_entries', data: { entries } })),
  'native-json': fc.oneof(
    fc.array(keyedObject(['token', 'deviceId', 'did', 'mac', 'ip', 'model', 'name']), { maxLength: 6 }).map((l) => JSON.stringify(l)),
    fc.dictionary(fc.oneof(fc.constantFrom('10.0.0.2', '04:CF:8C:12:34:56', '12345'), text(8)), fc.oneof(hex(34), keyedObject(['token', 'model'])), { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  ),
  'extractor-text': fc
    .array(
      fc.array(fc.tuple(fc.constantFrom('NAME', 'ID', 'BLE KEY', 'MAC', 'IP', 'TOKEN', 'MODEL', '---------', 'Devices found for server'), text(40)), { maxLength: 8 }),
      { maxLength: 5 },
    )
    .map((blocks) => blocks.map((b) => b.map(([k, v]) => (k.startsWith('-') || k.startsWith('Devices') ? k : `   ${k}:  ${v}`)).join('\n')).join('\n---------\n')),
  'native-csv': fc
    .tuple(
      fc.constantFrom(',', ';', '\t'),
      fc.array(fc.constantFrom('token', 'did', 'deviceId', 'mac', 'ip', 'model', 'name', 'key', 'x'), { minLength: 1, maxLength: 6 }),
      fc.array(fc.array(fc.oneof(text(20), hex(34), fc.constantFrom('"', '""', '"a,b"', '10.0.0.2')), { maxLength: 7 }), { maxLength: 8 }),
    )
    .map(([sep, header, rows]) => [header.join(sep), ...rows.map((r) => r.join(sep))].join(Math.random() < 0.5 ? '\n' : '\r\n')),
};
const anyTokenDoc = fc.oneof(...Object.values(tokenDocs), text(300), jsonish, deepJson);

function tokenTarget(format: TokenFileFormat): FuzzTarget<string> {
  return {
    name: `tokens.${format}`,
    arb: fc.oneof({ weight: 4, arbitrary: tokenDocs[format] }, { weight: 1, arbitrary: anyTokenDoc }),
    run: (doc) => parseTokenFile(doc, 'fuzz.json', { format }),
  };
}

// ------------------------------------------------------------------------------------------ banners

/** A TCP peer that sends `chunks` and then closes or goes quiet (instantly: no real waiting). */
function fakeConnector(chunks: Uint8Array[], end: 'eof' | 'timeout'): TcpConnector {
  return {
    async connect(o) {
      const queue = chunks.map((c) => Buffer.from(c));
      return {
        remoteAddress: o.host,
        remotePort: o.port,
        write() {},
        async read({ maxBytes }) {
          const c = queue[0];
          if (c === undefined) return { data: Buffer.alloc(0), eof: end === 'eof', timedOut: end === 'timeout', aborted: false };
          if (c.length > maxBytes) {
            queue[0] = c.subarray(maxBytes);
            return { data: c.subarray(0, maxBytes), eof: false, timedOut: false, aborted: false };
          }
          queue.shift();
          return { data: c, eof: false, timedOut: false, aborted: false };
        },
        close() {},
      };
    },
  };
}

const bannerPrefixes = ['SSH-2.0-', 'SSH-1.99-', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n', 'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n', '220 ', '\xff\xfd\x18', '\xff\xfb\x01\xff\xfb\x03', 'login: ', '\r\nrlxlinux login: ', '# ', '\x20\x02\x00\x05', '\x20\x02\x00\x00', ''];
const bannerBytes = fc
  .tuple(fc.constantFrom(...bannerPrefixes), fc.oneof(bytes(600), ascii(600).map((s) => Buffer.from(s, 'latin1'))))
  .map(([p, rest]) => Buffer.concat([Buffer.from(p, 'latin1'), rest]));

/** HTTP/RTSP response heads with random headers and bodies, chunked or not. */
const httpResponse = fc
  .tuple(
    fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'RTSP/1.0', 'HTTP/2', 'HTTP/1.1x', ''),
    fc.oneof(fc.integer({ min: 100, max: 599 }).map(String), ascii(4)),
    ascii(30),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom('Server', 'Content-Type', 'Transfer-Encoding', 'Content-Length', 'WWW-Authenticate', 'Public', 'CSeq'), ascii(70)), fc.oneof(ascii(80), fc.constantFrom('chunked', 'Digest realm="x", nonce="y"', '999999999999'))), { maxLength: 80 }),
    fc.oneof(
      ascii(400),
      fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 0xffffff }).map((n) => n.toString(16)), ascii(5)), ascii(50)), { maxLength: 10 }).map((cs) => cs.map(([n, d]) => `${n}\r\n${d}\r\n`).join('')),
      fc.tuple(ascii(40), ascii(200)).map(([a, t]) => `<html><head>${a}<title>${t}</title></head>`),
    ),
    fc.constantFrom('\r\n', '\n'),
  )
  .map(([proto, status, reason, headers, body, nl]) => Buffer.from(`${proto} ${status} ${reason}${nl}${headers.map(([k, v]) => `${k}: ${v}`).join(nl)}${nl}${nl}${body}`, 'latin1'));

const BANNER_PORTS = [22, 23, 80, 554, 1883, 8080, 2323, 9999, 4444] as const;

// ------------------------------------------------------------------------------------------ versions

const versionText = fc.oneof(
  fc.array(fc.constantFrom('0', '1', '2', '9', '10', '000', '4294967296', '99999999999999999999', '.', '_', '-', 'v', 'V', 'rc', 'beta', ' ', 'a', '+'), { maxLength: 16 }).map((p) => p.join('')),
  text(40),
  fc.constantFrom('1.4.1_170', '3.5.8_002034', '2.1.5_0021', '1.0.54', ''),
);

// ------------------------------------------------------------------------------------------ the targets

export const TARGETS: FuzzTarget<any>[] = [
  // miIO codec (protocols.md §1): every datagram a device can send.
  { name: 'codec.decodeHeader', arb: anyDatagram, run: (b: Buffer) => decodeHeader(b) },
  { name: 'codec.decodeHelloReply', arb: fc.oneof(bytes(40), framedBytes.filter((b) => b.length === 32), anyDatagram), run: (b: Buffer) => decodeHelloReply(b) },
  { name: 'codec.decodePacket', arb: anyDatagram, run: (b: Buffer) => decodePacket(token, b) },
  {
    name: 'codec.decodePayload',
    arb: fc.oneof(bytes(600), jsonDocument(['id', 'result', 'error', 'code', 'message']).map(utf8), deepJson.map(utf8)),
    run: (b: Buffer) => {
      const p = decodePayload(b);
      return { p, r: parseResponse(p.value) };
    },
  },
  {
    // The whole miIO.info path: encrypted reply → payload → response → validated info (the 100 000-deep case).
    name: 'miio.info-reply',
    arb: fc.oneof(
      hostilePacket,
      keyedObject(['model', 'fw_ver', 'hw_ver', 'mac', 'token', 'ap', 'netif', 'life', 'ot', 'uid', 'miio_ver'], 3).map((result) => encodePacket(token, { deviceId: 7, stamp: 9, payload: utf8(JSON.stringify({ id: 1, result })) })),
    ),
    run: (b: Buffer) => {
      const pkt = decodePacket(token, b);
      if (!pkt.payload) return pkt;
      const resp = parseResponse(decodePayload(pkt.payload).value);
      return 'result' in resp ? parseMiioInfo(resp.result, token) : resp;
    },
  },

  // mDNS (scanner/src/mdns/dns-message.ts, lenient by design).
  {
    name: 'mdns.decodeLenient',
    arb: fc.oneof(
      bytes(1500),
      fc
        .tuple(
          fc.array(fc.tuple(fc.constantFrom('_miio._udp.local', 'x_miio1._miio._udp.local', 'h.local'), fc.constantFrom('PTR', 'SRV', 'TXT', 'A')), { maxLength: 60 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        )
        .map(([recs, flips]) => {
          const buf = Buffer.from(
            encodeMessage({
              answers: recs.map(([name, kind]) => ({
                name,
                data:
                  kind === 'PTR'
                    ? { kind: 'PTR' as const, target: 'x_miio1._miio._udp.local' }
                    : kind === 'SRV'
                      ? { kind: 'SRV' as const, port: 54321, target: 'h.local' }
                      : kind === 'TXT'
                        ? { kind: 'TXT' as const, strings: ['mac=04cf8c123456', 'epoch=1'] }
                        : { kind: 'A' as const, address: '10.0.0.2' },
              })),
            }),
          );
          for (const [at, v] of flips) if (buf.length > 0) buf[at % buf.length] = v;
          return buf;
        }),
    ),
    run: (b: Buffer) => {
      const msg = decodeLenient(b);
      return { msg, services: servicesFromMessage(msg) };
    },
    // A record per 10 bytes at most, each decoded into a small object.
    maxOutput: (n) => 128 * n + 16_384,
  },

  // Yeelight: SSDP-style search replies (discovery) and the TCP 55443 control reply (probe).
  {
    name: 'yeelight.searchReply',
    arb: fc.oneof(
      bytes(800),
      fc
        .array(fc.tuple(fc.constantFrom('Location', 'id', 'model', 'fw_ver', 'support', 'power', 'name', 'Cache-Control', 'Server'), ascii(80)), { maxLength: 40 })
        .map((hs) => Buffer.from(`HTTP/1.1 200 OK\r\n${hs.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1')),
    ),
    run: (b: Buffer) => parseYeelightSearchReply(b),
  },
  {
    name: 'yeelight.controlReply',
    arb: fc.oneof(text(600), fc.array(jsonDocument(['id', 'result', 'error', 'method', 'params']), { maxLength: 6 }).map((l) => l.join('\r\n'))),
    run: (t: string) => parseYeelightControlReply(t),
  },

  // Aqara / Lumi gateway JSON (protocols.md §5.3).
  { name: 'lumi.discoveryIam', arb: fc.oneof(bytes(600), jsonDocument(['cmd', 'sid', 'model', 'ip', 'port', 'proto_version']).map(utf8)), run: (b: Buffer) => parseLumiIam(b) },
  {
    name: 'lumi.probeReplies',
    arb: fc.oneof(
      bytes(600),
      jsonDocument(['cmd', 'sid', 'model', 'ip', 'port', 'proto_version', 'data', 'params', 'token']).map(utf8),
      fc.tuple(fc.constantFrom('iam', 'read_ack', 'read_rsp'), keyedObject(['sid', 'model', 'data', 'params', 'port', 'ip'])).map(([cmd, o]) => utf8(JSON.stringify({ ...o, cmd }))),
    ),
    run: (b: Buffer) => ({ iam: parseIam(b), read: parseReadReply(b) }),
  },

  // Router init_info over HTTP (protocols.md §5.4): the JSON body and the bounded HTTP parser.
  {
    name: 'router.initInfo',
    arb: fc.oneof(bytes(600), jsonDocument(['hardware', 'romversion', 'model', 'inited', 'countrycode', 'id', 'routername', 'displayName', 'code', 'newEncryptMode']).map(utf8)),
    run: (b: Buffer) => {
      const obj = parseJsonObject(b);
      return obj ? parseInitInfo(obj, '/cgi-bin/luci/api/xqsystem/init_info') : null;
    },
  },
  {
    name: 'http.message',
    arb: fc.oneof(bytes(1500), httpResponse),
    run: (b: Buffer) => {
      const head = parseResponseHead(b) ?? parseResponseHead(b, { partial: true });
      const body = head ? b.subarray(head.bodyOffset) : b;
      return { end: headEnd(b), head, title: extractTitle(body), chunked: dechunk(body, 4096).length };
    },
  },

  // Tokens files: each format's parser (forced) and the auto-detector.
  ...TOKEN_FILE_FORMATS.map(tokenTarget),
  {
    name: 'tokens.auto-detect',
    arb: anyTokenDoc,
    run: (doc: string) => ({ format: detectTokenFileFormat(doc), parsed: parseTokenFile(doc, 'fuzz.txt') }),
  },

  // Banner parsers (protocols.md §5.5).
  { name: 'banner.ssh', arb: fc.oneof(bannerBytes, bytes(300)), run: (b: Buffer) => ({ line: hasSshLine(b), banner: parseSshBanner(b), service: serviceFromBanner(b) }) },
  {
    name: 'banner.telnet',
    arb: fc.array(fc.oneof(bannerBytes, bytes(200), fc.array(fc.constantFrom(255, 250, 240, 253, 251, 24, 1, 3, 0x0a, 0x23), { maxLength: 200 }).map((a) => Buffer.from(a))), { maxLength: 6 }),
    run: (chunks: Buffer[]) => {
      const d = new TelnetDecoder();
      let textOut = '';
      for (const c of chunks) textOut += d.push(c).data.toString('latin1');
      return { prompt: looksLikePrompt(textOut), host: telnetHostname(textOut), negotiations: d.negotiations };
    },
    inputSize: (chunks: Buffer[]) => chunks.reduce((s, c) => s + c.length, 0) + 1,
  },
  { name: 'banner.mqtt', arb: fc.oneof(bytes(16), bannerBytes), run: (b: Buffer) => decodeConnack(b) },
  { name: 'banner.http+rtsp', arb: fc.oneof(httpResponse, bannerBytes), run: (b: Buffer) => ({ head: parseResponseHead(b, { partial: true }), service: serviceFromBanner(b) }) },
  {
    // The whole banner grab on each strategy's port against a peer sending arbitrary chunks.
    name: 'banner.probePort',
    arb: fc.record({ port: fc.constantFrom(...BANNER_PORTS), chunks: fc.array(fc.oneof(bannerBytes, httpResponse, bytes(300)), { maxLength: 5 }), end: fc.constantFrom('eof' as const, 'timeout' as const) }),
    run: ({ port, chunks, end }: { port: number; chunks: Buffer[]; end: 'eof' | 'timeout' }) =>
      probePort(fakeConnector(chunks, end), port, { ip: '10.0.0.2', connectTimeoutMs: 50, bannerTimeoutMs: 50, maxBannerBytes: 4096 }),
    inputSize: ({ chunks }: { chunks: Buffer[] }) => chunks.reduce((s, c) => s + c.length, 0) + 1,
  },

  // The firmware version comparator (advisories/version.ts): strings from device replies.
  {
    name: 'advisories.version',
    arb: fc.tuple(versionText, versionText, fc.constantFrom('default' as const, 'roborock' as const), fc.oneof(text(30), fc.constantFrom('roborock.vacuum.s5', 'rockrobo.vacuum.v1', 'zhimi.fan.za4'))),
    run: ([a, b, scheme, model]: [string, string, 'default' | 'roborock', string]) => {
      const ab = compareFirmwareVersions(a, b, scheme);
      const ba = compareFirmwareVersions(b, a, scheme);
      // Antisymmetry: a comparator that says a < b and b < a would make advisory ranges lie.
      if (ab !== null && ba !== null && ab !== -ba && !(ab === 0 && ba === 0)) throw new Error(`comparator not antisymmetric: ${a} vs ${b}`);
      const pa = parseFirmwareVersion(a);
      const pb = parseFirmwareVersion(b);
      return { ab, m: firmwareVersionMatches(a, b, scheme), s: versionSchemeForModel(model), p: pa && pb ? compareParsedVersions(pa, pb, scheme) : null };
    },
  },
];

export function targetNames(): string[] {
  return TARGETS.map((t) => t.name);
}
