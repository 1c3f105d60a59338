/**
 * Interop with node-miio's Packet (the dev oracle, toolchain.md): what we encrypt it accepts, what it
 * encrypts we decode. Only lib/packet.js is loaded: never node-miio's browse()/devices() (broadcast).
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HELLO_REQUEST,
  MiioCodecError,
  Token,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  buildRequest,
} from '@xmscan/miio-probe/codec';
import { hex, loadVectors } from '../fixtures/miio/vectors.js';

interface NodeMiioPacket {
  token: Buffer | null;
  data: Buffer | null | boolean;
  raw: Buffer;
  readonly deviceId: number;
  readonly stamp: number;
  readonly checksum: Buffer;
  /** Public field; read only for the stale-header assertion. */
  header: Buffer;
  handshake(): void;
  handleHandshakeReply(): void;
}
type PacketCtor = new (discovery?: boolean) => NodeMiioPacket;

const require = createRequire(import.meta.url);
const Packet = require('node-miio/lib/packet.js') as PacketCtor;
const v = loadVectors();
const TOKEN = Token.fromHex('ed0ec8e98fd21edd701ee653713a293b');

/** A node-miio Packet that has "received" a hello from `deviceId`, as its Device does before sending. */
function nodeMiioSession(token: Token, deviceId: number, stamp: number): NodeMiioPacket {
  const p = new Packet();
  p.token = token.bytes();
  p.raw = encodeHelloReply({ deviceId, stamp, tokenField: 'ff' });
  return p;
}

describe('node-miio Packet interop', () => {
  it('hello request bytes are identical', () => {
    const p = new Packet();
    p.handshake();
    expect(p.raw.equals(HELLO_REQUEST)).toBe(true);
  });

  it('a packet we encrypt is accepted and decrypted by node-miio', () => {
    const payload = encodePayload(buildRequest(42, 'miIO.info'));
    const ours = encodePacket(TOKEN, { deviceId: 0x2246b494, stamp: 4098901, payload });
    const p = new Packet();
    p.token = TOKEN.bytes();
    p.raw = ours;
    expect(Buffer.isBuffer(p.data)).toBe(true);
    expect((p.data as Buffer).equals(payload)).toBe(true);
    expect(p.deviceId).toBe(0x2246b494);
    expect(p.stamp).toBe(4098901);
  });

  it('a packet node-miio encrypts decodes with ours', () => {
    const p = nodeMiioSession(TOKEN, 0x01234567, 3600);
    const json = Buffer.from(JSON.stringify({ method: 'miIO.info', params: [], id: 7 })); // node-miio's key order, no NUL
    p.data = json;
    const theirs = p.raw;
    const d = decodePacket(TOKEN, theirs);
    expect(d.header.deviceId).toBe(0x01234567);
    expect(d.header.stamp).toBe(3600); // serverStamp + whole seconds passed (0 here)
    expect(d.header.unknown).toBe(0);
    expect(d.payload?.equals(json)).toBe(true);
  });

  it('both directions agree for random tokens, ids and payloads', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 0xfffffffe }),
        fc.integer({ min: 1, max: 0x7fffffff }),
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        (tokBytes, deviceId, stamp, payload) => {
          const token = Token.fromBytes(tokBytes);
          const ours = encodePacket(token, { deviceId, stamp, payload });
          const p = new Packet();
          p.token = Buffer.from(tokBytes);
          p.raw = ours;
          expect((p.data as Buffer).equals(Buffer.from(payload))).toBe(true);

          const q = nodeMiioSession(token, deviceId, stamp);
          q.data = Buffer.from(payload);
          const theirs = q.raw;
          // Same session state ⇒ byte-identical packets (stamp: node-miio adds whole seconds passed, 0 here).
          expect(theirs.equals(ours)).toBe(true);
          expect(decodePacket(token, theirs).payload?.equals(Buffer.from(payload))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('every encrypted vector decrypts identically in node-miio and ours', () => {
    const entries: Array<[string, string, string]> = [
      ['request_python_miio_style_zero_token', 'packet_hex', 'plaintext_utf8'],
      ['request_compact_json_zero_token', 'packet_hex', 'plaintext_utf8'],
      ['python_miio_test_build_msg', 'packet_hex', 'plaintext_utf8'],
      ['real_device_miio_info_response_cuco_plug_v3', 'packet_hex', 'plaintext_utf8'],
      ['real_device_request_cuco_plug_v3', 'packet_wire_hex (checksum recomputed here)', 'plaintext_utf8'],
      ['real_device_set_properties_response_cuco_plug_v3', 'packet_wire_hex (checksum recomputed here)', 'plaintext_utf8'],
      ['synthetic_error_response_zero_token', 'packet_hex', 'plaintext_utf8'],
      ['golden_style_appendix_b', 'packet_hex', 'plaintext_utf8'],
    ];
    for (const [name, pktKey, ptKey] of entries) {
      const e = v[name];
      const token = Token.fromHex(e.token);
      const buf = hex(e[pktKey]);
      const p = new Packet();
      p.token = token.bytes();
      p.raw = buf;
      expect((p.data as Buffer).toString('utf8'), name).toBe(e[ptKey]);
      expect(decodePacket(token, buf).payload?.toString('utf8'), name).toBe(e[ptKey]);
    }
  });

  it('wrong token: node-miio silently yields data = null; ours throws MIIO_ERR_CHECKSUM', () => {
    const buf = hex(v['real_device_miio_info_response_cuco_plug_v3'].packet_hex);
    const wrong = Token.fromHex('00000000000000000000000000000000');
    const p = new Packet();
    p.token = wrong.bytes();
    p.raw = buf;
    expect(p.data).toBeNull();
    expect(() => decodePacket(wrong, buf)).toThrow(expect.objectContaining({ code: 'MIIO_ERR_CHECKSUM' }));
  });

  it('hello verdict differs on purpose: node-miio hides a mixed f0f0… field, we expose it', () => {
    const field = Buffer.from('f0'.repeat(16), 'hex');
    const reply = encodeHelloReply({ deviceId: 1, stamp: 2, tokenField: field });
    const p = new Packet();
    p.raw = reply;
    p.handleHandshakeReply();
    expect(p.token).toBeNull(); // /^[fF0]+$/ in lib/packet.js
    expect(decodeHelloReply(reply).tokenField).toBe('exposed');
    // Exactly all-ff / all-00: both hide.
    for (const f of ['ff', '00'] as const) {
      const q = new Packet();
      q.raw = encodeHelloReply({ deviceId: 1, stamp: 2, tokenField: f });
      q.handleHandshakeReply();
      expect(q.token).toBeNull();
      expect(decodeHelloReply(encodeHelloReply({ deviceId: 1, stamp: 2, tokenField: f })).tokenField).toBe('hidden');
    }
  });

  it('short datagram: node-miio keeps the stale header of the previous packet; ours is MIIO_ERR_SHORT', () => {
    const p = new Packet();
    p.token = TOKEN.bytes();
    p.raw = encodeHelloReply({ deviceId: 0xabcdef01, stamp: 777, tokenField: 'ff' });
    const short = Buffer.from([0x21, 0x31, 0x00, 0x05, 0x99]);
    p.raw = short; // copies 5 bytes over the old 32-byte header, keeps the rest
    expect(p.deviceId).toBe(0xabcdef01); // stale: not in the 5-byte datagram at all
    expect(p.stamp).toBe(777);
    expect(p.header.readUInt16BE(2)).toBe(5);
    let err: unknown;
    try {
      decodeHeader(short);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MiioCodecError);
    expect(err).toMatchObject({ code: 'MIIO_ERR_SHORT' });
  });
});
