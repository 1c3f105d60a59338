/**
 * miIO codec micro-benchmark against the named baseline, node-miio's Packet (style.md §7.15), on
 * identical inputs: the real cuco.plug.v3 reply (528 B) and a miIO.info request (80 B).
 *
 * Run: pnpm bench   (= node test/bench/run.mjs = vitest bench --run test/bench)
 *  or: pnpm exec vitest bench --run test/bench/codec.bench.ts
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { createRequire } from 'node:module';
import { bench, describe } from 'vitest';
import {
  Token,
  buildRequest,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  decrypt,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  encrypt,
} from '@xmscan/miio-probe/codec';
import { hex, loadVectors } from '../fixtures/miio/vectors.js';

// Each case warms up for 300 ms before 1 s of timing: with tinybench's short default warm-up, whichever case of a
// group runs first measured up to 1.7× slower than the same code run second (issue 7, docs/benchmarks.md).
const OPTS = { warmupTime: 300, time: 1000 };

interface NodeMiioPacket {
  token: Buffer | null;
  data: Buffer | null;
  raw: Buffer;
}
const require = createRequire(import.meta.url);
const Packet = require('node-miio/lib/packet.js') as new (discovery?: boolean) => NodeMiioPacket;
const safeishJSON = require('node-miio/lib/safeishJSON.js') as (s: string) => unknown;

const cuco = loadVectors()['real_device_miio_info_response_cuco_plug_v3'];
const token = Token.fromHex(cuco.token);
const reply = hex(cuco.packet_hex); // 528 B
const replyCiphertext = reply.subarray(32);
const replyPlain = Buffer.from(cuco.plaintext_utf8, 'utf8');
const request = encodePayload(buildRequest(1, 'miIO.info')); // 42 B + NUL → 80 B packet
const hello = encodeHelloReply({ deviceId: 0x2246b494, stamp: 4098901, tokenField: 'ff' });

// node-miio sessions set up once, as a long-lived Device would hold them.
const theirsDecode = new Packet();
theirsDecode.token = token.bytes();
const theirsEncode = new Packet();
theirsEncode.token = token.bytes();
theirsEncode.raw = hello; // learn did + stamp, as after a handshake

// Sanity: both sides produce the same bytes before we time them.
theirsEncode.data = request;
if (!theirsEncode.raw.equals(encodePacket(token, { deviceId: 0x2246b494, stamp: 4098901, payload: request }))) {
  throw new Error('bench inputs differ between node-miio and ours');
}

describe('encode request (encrypt + checksum + frame), 80 B packet', () => {
  bench('xmscan encodePacket', () => {
    encodePacket(token, { deviceId: 0x2246b494, stamp: 4098901, payload: request });
  }, OPTS);
  bench('node-miio Packet.raw getter', () => {
    theirsEncode.data = request;
    void theirsEncode.raw;
  }, OPTS);
});

describe('decode reply (verify checksum + decrypt), 528 B cuco.plug.v3', () => {
  bench('xmscan decodePacket', () => {
    decodePacket(token, reply);
  }, OPTS);
  bench('node-miio Packet.raw setter', () => {
    theirsDecode.raw = reply;
  }, OPTS);
});

describe('decode hello reply, 32 B', () => {
  bench('xmscan decodeHelloReply', () => {
    decodeHelloReply(hello);
  }, OPTS);
  bench('xmscan decodeHeader', () => {
    decodeHeader(hello);
  }, OPTS);
  bench('node-miio Packet.raw setter + handleHandshakeReply', () => {
    const p = new Packet();
    p.raw = hello;
    (p as unknown as { handleHandshakeReply(): void }).handleHandshakeReply();
  }, OPTS);
});

describe('encrypt 43 B plaintext (AES-128-CBC only)', () => {
  bench('xmscan encrypt', () => {
    encrypt(token, request);
  }, OPTS);
  bench('baseline: bare node:crypto createCipheriv', () => {
    const c = createCipheriv('aes-128-cbc', token.key, token.iv);
    Buffer.concat([c.update(request), c.final()]);
  }, OPTS);
});

describe('decrypt 496 B ciphertext (AES-128-CBC only)', () => {
  bench('xmscan decrypt (own PKCS#7 check)', () => {
    decrypt(token, replyCiphertext);
  }, OPTS);
  bench('baseline: bare node:crypto createDecipheriv', () => {
    const d = createDecipheriv('aes-128-cbc', token.key, token.iv);
    Buffer.concat([d.update(replyCiphertext), d.final()]);
  }, OPTS);
});

describe('payload JSON, 464 B cuco plaintext', () => {
  bench('xmscan decodePayload (tolerant)', () => {
    decodePayload(replyPlain);
  }, OPTS);
  bench('node-miio safeishJSON(toString)', () => {
    safeishJSON(replyPlain.toString('utf8'));
  }, OPTS);
});
