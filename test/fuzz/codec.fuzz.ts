/**
 * Time-boxed property fuzzing of the miIO codec (style.md §7.3). Any bytes into a decoder either
 * return a value or throw MiioCodecError, nothing else; encode → decode is the identity.
 *
 * Run: XMSCAN_FUZZ_SECONDS=30 pnpm exec vitest run --config vitest.fuzz.config.ts test/fuzz/codec.fuzz.ts
 * The budget (default 30 s) is split evenly across the properties; each prints its iteration count.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HEADER_LENGTH,
  MiioCodecError,
  Token,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  encodeHeader,
  encodePacket,
  encodePayload,
  packetChecksum,
  parseResponse,
} from '@xmscan/miio-probe/codec';

const TOTAL_SECONDS = Number(process.env['XMSCAN_FUZZ_SECONDS'] ?? 30);
const PROPERTIES = 7;
const perPropertyMs = Math.max(100, Math.floor((TOTAL_SECONDS * 1000) / PROPERTIES));
const token = Token.fromHex('ed0ec8e98fd21edd701ee653713a293b');
const counts: Array<[string, number, number]> = [];

/** Returns normally, or throws MiioCodecError with a known code: nothing else is allowed. */
function onlyCodecErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof MiioCodecError) || !/^MIIO_ERR_[A-Z_]+$/.test(err.code)) throw err;
  }
}

function run(name: string, property: fc.IProperty<never> | fc.IProperty<unknown[]>): void {
  const t0 = performance.now();
  const details = fc.check(property as fc.IProperty<unknown[]>, {
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: perPropertyMs,
    markInterruptAsFailure: false,
  });
  const ms = performance.now() - t0;
  counts.push([name, details.numRuns, Math.round(ms)]);
  console.log(`[fuzz] ${name}: ${details.numRuns} iterations in ${Math.round(ms)} ms`);
  if (details.failed) {
    throw new Error(`${name} failed after ${details.numRuns} runs, seed ${details.seed}: ${fc.stringify(details.counterexample)}\n${String(details.errorInstance)}`);
  }
  expect(details.numRuns).toBeGreaterThan(0);
}

/** Bytes that get past the cheap checks: right magic and length field, random rest. */
const framedBytes = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((rest) => {
  const buf = Buffer.alloc(HEADER_LENGTH + rest.length);
  buf.set(rest, HEADER_LENGTH);
  buf.writeUInt16BE(0x2131, 0);
  buf.writeUInt16BE(buf.length, 2);
  return buf;
});
/** Random ciphertext with a valid checksum: exercises decrypt and padding checks. */
const checksummed = fc.uint8Array({ minLength: 1, maxLength: 256 }).map((ct) => {
  const hdr = encodeHeader({ length: HEADER_LENGTH + ct.length, deviceId: 1, stamp: 2 });
  hdr.set(packetChecksum(hdr, token, ct), 16);
  return Buffer.concat([hdr, ct]);
});
const anyDatagram = fc.oneof(fc.uint8Array({ maxLength: 1200 }), framedBytes, checksummed);
/** Text close to device JSON, with the quirk characters over-represented. */
const jsonish = fc
  .array(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '0', '00', '1', '-', 'e', '.', ' ', 'a', 'null', 'true', '"id"', '"result"', '\0', '\u0001', 'é'), { maxLength: 80 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

describe('codec fuzz (time-boxed)', () => {
  afterAll(() => {
    const total = counts.reduce((s, [, n]) => s + n, 0);
    console.log(`[fuzz] total ${total} iterations over ${counts.length} properties, budget ${TOTAL_SECONDS} s`);
  });

  it('decodeHeader: any bytes → header or MiioCodecError', () => {
    run('decodeHeader', fc.property(anyDatagram, (b) => onlyCodecErrors(() => decodeHeader(b))));
  });

  it('decodeHelloReply: any bytes → reply or MiioCodecError', () => {
    run(
      'decodeHelloReply',
      fc.property(fc.oneof(fc.uint8Array({ minLength: 30, maxLength: 34 }), framedBytes.filter((b) => b.length === 32), anyDatagram), (b) =>
        onlyCodecErrors(() => {
          const r = decodeHelloReply(b);
          if (r.tokenField === 'exposed') expect(r.token).not.toBeNull();
        }),
      ),
    );
  });

  it('decodePacket: any bytes → packet or MiioCodecError', () => {
    run('decodePacket', fc.property(anyDatagram, (b) => onlyCodecErrors(() => decodePacket(token, b))));
  });

  it('decodePayload (+ parseResponse): any bytes → value or MiioCodecError', () => {
    run(
      'decodePayload',
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), jsonish, fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s))), (b) =>
        onlyCodecErrors(() => {
          const p = decodePayload(b);
          expect(Array.isArray(p.quirks)).toBe(true);
          onlyCodecErrors(() => parseResponse(p.value));
        }),
      ),
    );
  });

  it('encode → decode packet round trip', () => {
    run(
      'packetRoundTrip',
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 2000 }),
        (tok, deviceId, stamp, payload) => {
          const t = Token.fromBytes(tok);
          const d = decodePacket(t, encodePacket(t, { deviceId, stamp, payload }));
          expect(d.header.deviceId).toBe(deviceId);
          expect(d.header.stamp).toBe(stamp);
          expect(d.payload?.equals(Buffer.from(payload))).toBe(true);
        },
      ),
    );
  });

  it('encode → decode payload round trip (JSON values)', () => {
    run(
      'payloadRoundTrip',
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), (value, nul) => {
        expect(decodePayload(encodePayload(value, { trailingNul: nul })).value).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('encode → decode header round trip', () => {
    run(
      'headerRoundTrip',
      fc.property(
        fc.integer({ min: 32, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (length, unknown, deviceId, stamp) => {
          const hdr = encodeHeader({ length, unknown, deviceId, stamp });
          const full = Buffer.concat([hdr, Buffer.alloc(length - 32)]);
          expect(decodeHeader(full)).toMatchObject({ length, unknown, deviceId, stamp });
        },
      ),
    );
  });
});
