/** Malformed inputs: every rejection carries a stable MiioCodecError code (style.md §7.2). */
import { describe, expect, it } from 'vitest';
import {
  HEADER_LENGTH,
  MiioCodecError,
  type MiioCodecErrorCode,
  Token,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  decrypt,
  encodeHeader,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  encrypt,
  packetChecksum,
  parseResponse,
  classifyTokenField,
} from './index.js';

const token = Token.fromHex('00112233445566778899aabbccddeeff');
const other = Token.fromHex('ffeeddccbbaa99887766554433221100');
const good = encodePacket(token, { deviceId: 0x01234567, stamp: 3600, payload: encodePayload({ id: 1, result: ['ok'] }) });

/** A packet whose checksum is valid for `token` but whose ciphertext is `ct` as given. */
function framed(ct: Buffer): Buffer {
  const hdr = encodeHeader({ length: HEADER_LENGTH + ct.length, deviceId: 1, stamp: 2 });
  hdr.set(packetChecksum(hdr, token, ct), 16);
  return Buffer.concat([hdr, ct]);
}

/** Raw AES-CBC output with no padding, so the plaintext's last block is under our control. */
function rawBlocks(plain: Buffer): Buffer {
  // encrypt() pads; drop the extra all-padding block it appends to a whole-block plaintext.
  return encrypt(token, plain).subarray(0, plain.length);
}

function codeOf(fn: () => unknown): MiioCodecErrorCode | 'no-throw' {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MiioCodecError);
    const e = err as MiioCodecError;
    // Messages never echo token bytes.
    expect(e.message).not.toContain(token.revealHex());
    return e.code;
  }
  return 'no-throw';
}

const withByte = (buf: Buffer, at: number, value: number) => {
  const b = Buffer.from(buf);
  b[at] = value;
  return b;
};

interface Case {
  name: string;
  run: () => unknown;
  code: MiioCodecErrorCode;
}

const cases: Case[] = [
  { name: 'empty datagram', run: () => decodeHeader(Buffer.alloc(0)), code: 'MIIO_ERR_SHORT' },
  { name: 'short datagram (31 bytes)', run: () => decodePacket(token, good.subarray(0, 31)), code: 'MIIO_ERR_SHORT' },
  { name: 'short hello reply (2 bytes)', run: () => decodeHelloReply(Buffer.from([0x21, 0x31])), code: 'MIIO_ERR_SHORT' },
  { name: 'bad magic', run: () => decodePacket(token, withByte(good, 0, 0x22)), code: 'MIIO_ERR_BAD_MAGIC' },
  { name: 'bad magic (second byte)', run: () => decodeHelloReply(withByte(encodeHelloReply({ deviceId: 1, stamp: 1, tokenField: 'ff' }), 1, 0x32)), code: 'MIIO_ERR_BAD_MAGIC' },
  { name: 'length field > datagram (truncated)', run: () => decodePacket(token, good.subarray(0, good.length - 16)), code: 'MIIO_ERR_BAD_LENGTH' },
  { name: 'length field < datagram (trailing junk)', run: () => decodePacket(token, Buffer.concat([good, Buffer.alloc(1)])), code: 'MIIO_ERR_BAD_LENGTH' },
  { name: 'length field 0', run: () => decodeHeader(withByte(withByte(good, 2, 0), 3, 0)), code: 'MIIO_ERR_BAD_LENGTH' },
  { name: 'checksum mismatch (flipped checksum byte)', run: () => decodePacket(token, withByte(good, 20, good[20]! ^ 1)), code: 'MIIO_ERR_CHECKSUM' },
  { name: 'checksum mismatch (flipped ciphertext byte)', run: () => decodePacket(token, withByte(good, 40, good[40]! ^ 1)), code: 'MIIO_ERR_CHECKSUM' },
  { name: 'checksum mismatch (stamp changed)', run: () => decodePacket(token, withByte(good, 15, good[15]! ^ 1)), code: 'MIIO_ERR_CHECKSUM' },
  { name: 'wrong token', run: () => decodePacket(other, good), code: 'MIIO_ERR_CHECKSUM' },
  { name: 'ciphertext not whole blocks (17 bytes, checksum valid)', run: () => decodePacket(token, framed(Buffer.alloc(17, 7))), code: 'MIIO_ERR_BAD_CIPHERTEXT' },
  { name: 'ciphertext not whole blocks (1 byte)', run: () => decodePacket(token, framed(Buffer.alloc(1))), code: 'MIIO_ERR_BAD_CIPHERTEXT' },
  { name: 'decrypt of empty ciphertext', run: () => decrypt(token, Buffer.alloc(0)), code: 'MIIO_ERR_BAD_CIPHERTEXT' },
  { name: 'bad padding: last byte 0', run: () => decodePacket(token, framed(rawBlocks(Buffer.alloc(16, 0)))), code: 'MIIO_ERR_BAD_PADDING' },
  { name: 'bad padding: last byte 17', run: () => decodePacket(token, framed(rawBlocks(Buffer.alloc(16, 17)))), code: 'MIIO_ERR_BAD_PADDING' },
  {
    name: 'bad padding: inconsistent bytes',
    run: () => decodePacket(token, framed(rawBlocks(Buffer.from('0123456789abc\x01\x03\x03', 'latin1')))),
    code: 'MIIO_ERR_BAD_PADDING',
  },
  { name: 'undecodable payload: not JSON', run: () => decodePayload(Buffer.from('hello world')), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'undecodable payload: invalid UTF-8', run: () => decodePayload(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'undecodable payload: unterminated object', run: () => decodePayload(Buffer.from('{"id":1,"result":')), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'undecodable payload: unterminated string', run: () => decodePayload(Buffer.from('{"id":1,"result":"abc')), code: 'MIIO_ERR_PAYLOAD' },
  {
    name: 'undecodable payload inside a valid packet',
    run: () => decodePayload(decodePacket(token, encodePacket(token, { deviceId: 1, stamp: 1, payload: Buffer.from('<html>') })).payload!),
    code: 'MIIO_ERR_PAYLOAD',
  },
  { name: 'response: not an object', run: () => parseResponse([1, 2]), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'response: no id', run: () => parseResponse({ result: 1 }), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'response: neither result nor error', run: () => parseResponse({ id: 1 }), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'encodePayload(undefined)', run: () => encodePayload(undefined), code: 'MIIO_ERR_PAYLOAD' },
  { name: 'encodePayload(BigInt)', run: () => encodePayload({ n: 1n }), code: 'MIIO_ERR_PAYLOAD' },
  {
    name: 'encodePayload(cycle)',
    run: () => {
      const a: Record<string, unknown> = {};
      a['self'] = a;
      return encodePayload(a);
    },
    code: 'MIIO_ERR_PAYLOAD',
  },
  { name: 'bad token: 31 hex chars', run: () => Token.fromHex('0'.repeat(31)), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'bad token: 33 hex chars', run: () => Token.fromHex('0'.repeat(33)), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'bad token: non-hex', run: () => Token.fromHex('g'.repeat(32)), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'bad token: not a string', run: () => Token.fromHex(42 as unknown as string), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'bad token: 15 bytes', run: () => Token.fromBytes(new Uint8Array(15)), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'bad token: 17 bytes', run: () => Token.fromBytes(new Uint8Array(17)), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'hello reply field of 15 bytes', run: () => encodeHelloReply({ deviceId: 1, stamp: 1, tokenField: new Uint8Array(15) }), code: 'MIIO_ERR_BAD_TOKEN' },
  { name: 'classify a 15-byte field', run: () => classifyTokenField(new Uint8Array(15)), code: 'MIIO_ERR_BAD_LENGTH' },
  { name: 'hello reply with a payload', run: () => decodeHelloReply(good), code: 'MIIO_ERR_NOT_HELLO' },
  { name: 'header length 31', run: () => encodeHeader({ length: 31, deviceId: 0, stamp: 0 }), code: 'MIIO_ERR_TOO_LARGE' },
  { name: 'header length 65536', run: () => encodeHeader({ length: 65536, deviceId: 0, stamp: 0 }), code: 'MIIO_ERR_TOO_LARGE' },
  { name: 'packet larger than the 16-bit length field', run: () => encodePacket(token, { deviceId: 0, stamp: 0, payload: Buffer.alloc(65_504) }), code: 'MIIO_ERR_TOO_LARGE' },
];

describe('malformed input table', () => {
  it.each(cases)('$name → $code', ({ run, code }) => {
    expect(codeOf(run)).toBe(code);
  });

  it('the table covers every codec error code', () => {
    const covered = new Set(cases.map((c) => c.code));
    const all: MiioCodecErrorCode[] = [
      'MIIO_ERR_SHORT',
      'MIIO_ERR_BAD_MAGIC',
      'MIIO_ERR_BAD_LENGTH',
      'MIIO_ERR_CHECKSUM',
      'MIIO_ERR_BAD_CIPHERTEXT',
      'MIIO_ERR_BAD_PADDING',
      'MIIO_ERR_PAYLOAD',
      'MIIO_ERR_BAD_TOKEN',
      'MIIO_ERR_TOO_LARGE',
      'MIIO_ERR_NOT_HELLO',
    ];
    expect([...covered].sort()).toEqual([...all].sort());
  });

  it('errors are MiioCodecError with name, code and an Error prototype chain', () => {
    try {
      decodeHeader(Buffer.alloc(3));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ name: 'MiioCodecError', code: 'MIIO_ERR_SHORT' });
    }
  });

  it('a 32-byte packet decodes with a null payload under any token (bare header, §1.10)', () => {
    const bare = encodeHelloReply({ deviceId: 5, stamp: 6, tokenField: 'ff' });
    expect(decodePacket(token, bare)).toMatchObject({ header: { deviceId: 5, stamp: 6 }, payload: null });
  });

  it('decoders do not depend on the Uint8Array offset within its ArrayBuffer', () => {
    const backing = new Uint8Array(good.length + 7);
    backing.set(good, 7);
    const view = backing.subarray(7);
    expect(decodePacket(token, view).payload?.toString()).toBe('{"id":1,"result":["ok"]}\0');
  });
});
