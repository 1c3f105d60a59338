/**
 * Round trips over random headers and payloads (fast-check, small run counts; the long time-boxed
 * runs are in test/fuzz/codec.fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEADER_LENGTH,
  Token,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  encodeHeader,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  nextRequestId,
} from './index.js';

const RUNS = { numRuns: 200 };
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const tokenArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Token.fromBytes(b));

describe('round trips', () => {
  it('header: encode → decode → encode', () => {
    fc.assert(
      fc.property(
        fc.record({
          length: fc.constant(HEADER_LENGTH),
          unknown: u32,
          deviceId: u32,
          stamp: u32,
          checksum: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        }),
        (fields) => {
          const buf = encodeHeader(fields);
          const h = decodeHeader(buf);
          expect(h).toMatchObject({ length: 32, unknown: fields.unknown, deviceId: fields.deviceId, stamp: fields.stamp });
          expect(h.deviceId64).toBe((BigInt(fields.unknown) << 32n) | BigInt(fields.deviceId));
          expect(h.checksum.equals(Buffer.from(fields.checksum))).toBe(true);
          expect(encodeHeader(h).equals(buf)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('packet: decode(encode(x)) = x for any token, did, stamp and payload bytes', () => {
    fc.assert(
      fc.property(tokenArb, u32, u32, fc.uint8Array({ maxLength: 1500 }), (token, deviceId, stamp, payload) => {
        const pkt = encodePacket(token, { deviceId, stamp, payload });
        expect(pkt.length).toBe(HEADER_LENGTH + (Math.floor(payload.length / 16) + 1) * 16);
        const d = decodePacket(token, pkt);
        expect(d.header).toMatchObject({ length: pkt.length, unknown: 0, deviceId, stamp });
        expect(d.payload?.equals(Buffer.from(payload))).toBe(true);
        expect(encodePacket(token, { deviceId, stamp, payload: d.payload! }).equals(pkt)).toBe(true);
      }),
      RUNS,
    );
  });

  it('hello reply: decode(encode(x)) = x; hidden iff the field is all ff or all 00', () => {
    fc.assert(
      fc.property(
        u32,
        u32,
        fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constantFrom(0x00, 0xff, 0xf0, 0x0f).map((b) => new Uint8Array(16).fill(b))),
        (deviceId, stamp, field) => {
          fc.pre(!(deviceId === 0xffffffff && stamp === 0xffffffff));
          const r = decodeHelloReply(encodeHelloReply({ deviceId, stamp, tokenField: field }));
          expect(r).toMatchObject({ deviceId, stamp, unknown: 0 });
          const hidden = field.every((b) => b === 0xff) || field.every((b) => b === 0);
          expect(r.tokenField).toBe(hidden ? 'hidden' : 'exposed');
          if (!hidden) expect(r.token?.equals(Token.fromBytes(field))).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('payload: any JSON value survives encode → encrypt → decode (with and without NUL)', () => {
    fc.assert(
      fc.property(tokenArb, fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (token, value, trailingNul) => {
        const payload = encodePayload(value, { trailingNul });
        const back = decodePayload(decodePacket(token, encodePacket(token, { deviceId: 1, stamp: 1, payload })).payload!);
        expect(back.value).toEqual(JSON.parse(JSON.stringify(value)));
        expect(back.quirks).toEqual(trailingNul ? ['trailing-nul'] : []);
      }),
      RUNS,
    );
  });

  it('request ids stay in 1..9999, never 9998, and always change', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 20000 }), (prev) => {
        const id = nextRequestId(prev);
        expect(id).toBeGreaterThanOrEqual(1);
        expect(id).toBeLessThanOrEqual(9999);
        expect(id).not.toBe(9998);
        expect(id).not.toBe(prev);
      }),
      RUNS,
    );
    expect(nextRequestId(9997)).toBe(9999);
    expect(nextRequestId(9999)).toBe(1);
  });
});
