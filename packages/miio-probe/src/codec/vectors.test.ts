/**
 * Every miIO vector in test/fixtures/miio/miio-vectors.json, byte for byte in both directions
 * (protocols.md §1.11; style.md Appendix B). Whole plaintexts are compared, never "JSON appears
 * somewhere": a wrong IV garbles only the first CBC block (style.md Appendix A).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex, loadVectors } from '../../../../test/fixtures/miio/vectors.js';
import {
  HELLO_REQUEST,
  MiioCodecError,
  Token,
  buildRequest,
  decodeHeader,
  decodeHelloReply,
  decodePacket,
  decodePayload,
  decrypt,
  encodeHello,
  encodeHelloReply,
  encodePacket,
  encodePayload,
  encrypt,
  isHelloRequest,
  packetChecksum,
  parseResponse,
} from './index.js';

const v = loadVectors();
const zero = Token.fromHex('00000000000000000000000000000000');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MiioCodecError) return err.code;
    throw err;
  }
  return undefined;
}

describe('fixture file', () => {
  it('is a verbatim copy of the reference vectors with attributions kept', () => {
    expect(v['_about']).toMatch(/sources?/i);
    expect(v['hello_request'].source).toMatch(/python-miio/);
    expect(v['real_device_miio_info_response_cuco_plug_v3'].source).toMatch(/13062378124/);
    expect(v['golden_style_appendix_b'].source).toMatch(/openssl/);
  });
});

describe('hello request (§1.3)', () => {
  const h = v['hello_request'];
  it('encodes to the exact bytes', () => {
    expect(HELLO_REQUEST.toString('hex')).toBe(h.hex);
    expect(encodeHello().toString('hex')).toBe(h.hex);
    expect(encodeHello()).not.toBe(HELLO_REQUEST); // a copy a socket may keep
    expect(isHelloRequest(hex(h.hex))).toBe(true);
  });
  it('decodes field by field', () => {
    const hdr = decodeHeader(hex(h.hex));
    expect(hdr.length).toBe(h.len);
    expect(hdr.unknown.toString(16)).toBe(h.fields.unknown_bytes_4_7);
    expect(hdr.deviceId.toString(16)).toBe(h.fields.did_bytes_8_11);
    expect(hdr.stamp.toString(16)).toBe(h.fields.stamp_bytes_12_15);
    expect(hdr.checksum.toString('hex')).toBe(h.fields.checksum_bytes_16_31);
  });
  it('is not a hello reply', () => {
    expect(codeOf(() => decodeHelloReply(hex(h.hex)))).toBe('MIIO_ERR_NOT_HELLO');
  });
  it('MDID variant (ha_xiaomi_home) is a request too, never a reply with an "exposed token"', () => {
    const m = v['hello_request_mdid_variant'];
    const buf = hex(m.hex);
    expect(isHelloRequest(buf)).toBe(false);
    expect(buf.subarray(16, 20).toString('latin1')).toBe('MDID');
    expect(buf.readBigUInt64BE(20).toString()).toBe(m.virtual_did_example);
    expect(codeOf(() => decodeHelloReply(buf))).toBe('MIIO_ERR_NOT_HELLO');
  });
});

describe('observed hello replies (§1.4)', () => {
  for (const r of v['hello_replies_observed'] as Array<Record<string, any>>) {
    it(`${r.device}: did ${r.did}, exposed=${r.token_exposed}`, () => {
      const buf = hex(r.hex);
      const reply = decodeHelloReply(buf);
      expect(reply.deviceId).toBe(r.did);
      expect(reply.deviceId64).toBe(BigInt(r.did));
      expect(reply.stamp).toBe(r.stamp);
      expect(reply.unknown).toBe(0);
      expect(reply.tokenField).toBe(r.token_exposed ? 'exposed' : 'hidden');
      if (r.token_exposed) {
        expect(reply.hiddenAs).toBeNull();
        expect(reply.token?.revealHex()).toBe(Buffer.from(r.token_ascii, 'latin1').toString('hex'));
        expect(reply.printableToken).toBe(true);
      } else {
        expect(reply.token).toBeNull();
        expect(reply.hiddenAs).toBe(r.checksum_all_zero ? '00' : 'ff');
        expect(reply.printableToken).toBe(false);
      }
      // Reverse direction: the same bytes from the fields.
      const field = r.token_exposed ? buf.subarray(16) : r.checksum_all_zero ? '00' : 'ff';
      expect(encodeHelloReply({ deviceId: r.did, stamp: r.stamp, tokenField: field }).toString('hex')).toBe(r.hex);
    });
  }

  it('verdict: hidden only for exactly all-ff / all-00; mixed f0f0… is exposed', () => {
    const mk = (field: string) =>
      decodeHelloReply(encodeHelloReply({ deviceId: 1, stamp: 2, tokenField: hex(field) }));
    expect(mk('ff'.repeat(16)).tokenField).toBe('hidden');
    expect(mk('00'.repeat(16)).tokenField).toBe('hidden');
    for (const field of ['f0'.repeat(16), '0f'.repeat(16), 'ff'.repeat(15) + 'fe', '00'.repeat(15) + '01', 'ff'.repeat(8) + '00'.repeat(8)]) {
      const r = mk(field);
      expect(r.tokenField, field).toBe('exposed');
      expect(r.hiddenAs).toBeNull();
      expect(r.token?.revealHex()).toBe(field);
      expect(r.printableToken).toBe(false);
    }
  });

  it('wrong-token reply shape (§1.10) is a bare header: no payload, field hidden', () => {
    const w = hex(v['wrong_token_reply_shape'].example_hex);
    expect(decodePacket(zero, w).payload).toBeNull();
    const r = decodeHelloReply(w);
    expect(r.tokenField).toBe('hidden');
    expect(r.deviceId).toBe(0x01234567);
  });
});

describe('key / IV (§1.5)', () => {
  for (const k of v['key_iv'] as Array<Record<string, string>>) {
    it(k['name']!, () => {
      const t = Token.fromHex(k['token']!);
      expect(t.key.toString('hex')).toBe(k['key_md5_token']);
      expect(t.iv.toString('hex')).toBe(k['iv_md5_key_plus_token']);
      // Not the OpenMiHome erratum IV = MD5(MD5(key) ‖ token).
      const wrong = createHash('md5').update(createHash('md5').update(t.key).digest()).update(t.bytes()).digest('hex');
      expect(t.iv.toString('hex')).not.toBe(wrong);
    });
  }
});

describe('style.md Appendix B golden vector (openssl, independent of node:crypto)', () => {
  const g = v['golden_style_appendix_b'];
  const t = Token.fromHex(g.token);
  it('encodes byte for byte', () => {
    expect(t.key.toString('hex')).toBe(g.key_hex);
    expect(t.iv.toString('hex')).toBe(g.iv_hex);
    const payload = encodePayload(buildRequest(1, 'miIO.info'));
    expect(payload.toString('utf8')).toBe(g.plaintext_utf8);
    expect(encrypt(t, payload).toString('hex')).toBe(g.ciphertext_hex);
    const pkt = encodePacket(t, { deviceId: g.did, stamp: g.stamp, payload });
    expect(pkt.length).toBe(g.packet_len);
    expect(pkt.toString('hex')).toBe(g.packet_hex);
  });
  it('decodes byte for byte', () => {
    const d = decodePacket(t, hex(g.packet_hex));
    expect(d.header.deviceId).toBe(g.did);
    expect(d.header.stamp).toBe(g.stamp);
    expect(d.payload?.toString('utf8')).toBe(g.plaintext_utf8);
    expect(decodePayload(d.payload!).value).toEqual({ id: 1, method: 'miIO.info', params: [] });
  });
});

describe('synthetic requests (§1.11 b)', () => {
  it('python-miio style (spaces + NUL), all intermediate values', () => {
    const r = v['request_python_miio_style_zero_token'];
    const t = Token.fromHex(r.token);
    const plaintext = Buffer.from(r.plaintext_utf8, 'utf8');
    expect(plaintext.toString('hex')).toBe(r.plaintext_hex);
    const ct = encrypt(t, plaintext);
    expect(ct.toString('hex')).toBe(r.ciphertext_hex);
    const pkt = encodePacket(t, { deviceId: r.did, stamp: r.stamp, payload: plaintext });
    expect(pkt.subarray(0, 16).toString('hex')).toBe(r.header16_hex);
    expect(packetChecksum(pkt.subarray(0, 16), t, ct).toString('hex')).toBe(r.checksum_hex);
    expect(pkt.toString('hex')).toBe(r.packet_hex);
    expect(pkt.length).toBe(r.packet_len);
    // Reverse.
    const d = decodePacket(t, hex(r.packet_hex));
    expect(d.payload?.toString('hex')).toBe(r.plaintext_hex);
    // padded_hex: decrypt without our unpadding to see the PKCS#7 byte.
    expect(hex(r.padded_hex).length).toBe(48);
    expect(decrypt(t, hex(r.ciphertext_hex)).toString('hex')).toBe(r.plaintext_hex);
    const p = decodePayload(d.payload!);
    expect(p.value).toEqual({ id: 1, method: 'miIO.info', params: [] });
    expect(p.quirks).toEqual(['trailing-nul']);
  });
  it('compact JSON (XiaomiGateway3) equals our own encodePayload(buildRequest)', () => {
    const r = v['request_compact_json_zero_token'];
    const t = Token.fromHex(r.token);
    const payload = encodePayload(buildRequest(1, 'miIO.info', []));
    expect(payload.toString('utf8')).toBe(r.plaintext_utf8);
    const pkt = encodePacket(t, { deviceId: r.did, stamp: r.stamp, payload });
    expect(pkt.subarray(32).toString('hex')).toBe(r.ciphertext_hex);
    expect(pkt.subarray(16, 32).toString('hex')).toBe(r.checksum_hex);
    expect(pkt.toString('hex')).toBe(r.packet_hex);
    expect(decodePacket(t, hex(r.packet_hex)).payload?.toString('utf8')).toBe(r.plaintext_utf8);
  });
  it('python-miio test build_msg (no NUL, stamp 0)', () => {
    const r = v['python_miio_test_build_msg'];
    const t = Token.fromHex(r.token);
    const payload = Buffer.from(r.plaintext_utf8, 'utf8');
    expect(encodePacket(t, { deviceId: 0x01234567, stamp: 0, payload }).toString('hex')).toBe(r.packet_hex);
    const d = decodePacket(t, hex(r.packet_hex));
    expect(d.payload?.toString('utf8')).toBe(r.plaintext_utf8);
    expect(decodePayload(d.payload!)).toEqual({ value: { id: 123456 }, empty: false, quirks: [] });
  });
  it('synthetic error reply decodes to an error envelope', () => {
    const r = v['synthetic_error_response_zero_token'];
    const t = Token.fromHex(r.token);
    const buf = hex(r.packet_hex);
    const d = decodePacket(t, buf);
    expect(d.payload?.toString('utf8')).toBe(r.plaintext_utf8);
    expect(encodePacket(t, { deviceId: d.header.deviceId, stamp: d.header.stamp, payload: d.payload! }).equals(buf)).toBe(true);
    const resp = parseResponse(decodePayload(d.payload!).value);
    expect(resp).toMatchObject({ kind: 'error', id: 2, error: { code: -5001, message: 'invalid_arg' } });
  });
});

describe('real cuco.plug.v3 capture (§1.11 a)', () => {
  const c = v['real_device_miio_info_response_cuco_plug_v3'];
  const t = Token.fromHex(c.token);
  const buf = hex(c.packet_hex);

  it('header fields', () => {
    const h = decodeHeader(buf);
    expect(buf.length).toBe(c.packet_len);
    expect(h.length).toBe(c.parsed.length);
    expect(h.unknown).toBe(c.parsed.unknown);
    expect(h.deviceId).toBe(c.parsed.did);
    expect(h.deviceId.toString(16).padStart(8, '0')).toBe(c.parsed.did_hex);
    expect(h.deviceId64).toBe(BigInt(c.parsed.did64));
    expect(h.stamp).toBe(c.parsed.stamp);
    expect(h.checksum.toString('hex')).toBe(c.parsed.checksum);
  });
  it('checksum verifies under the real token', () => {
    const ct = buf.subarray(32);
    expect(ct.length).toBe(c.parsed.payload_len);
    expect(packetChecksum(buf.subarray(0, 16), t, ct).toString('hex')).toBe(c.parsed.checksum);
  });
  it('decrypts to exactly the captured plaintext (whole string, no trailing NUL)', () => {
    const d = decodePacket(t, buf);
    expect(d.payload?.toString('utf8')).toBe(c.plaintext_utf8);
    const p = decodePayload(d.payload!);
    expect(p.quirks).toEqual([]);
    expect(p.value).toEqual(JSON.parse(c.plaintext_utf8));
    const resp = parseResponse(p.value);
    expect(resp.kind).toBe('result');
    // §1.8: stamp equals result.life on this device (uptime in seconds).
    expect((resp as { result: { life: number } }).result.life).toBe(d.header.stamp);
  });
  it('re-encodes to the same bytes', () => {
    const d = decodePacket(t, buf);
    expect(encodePacket(t, { deviceId: d.header.deviceId, stamp: d.header.stamp, payload: d.payload! }).equals(buf)).toBe(true);
  });
  it('wrong token: checksum mismatch, not garbage', () => {
    expect(codeOf(() => decodePacket(zero, buf))).toBe('MIIO_ERR_CHECKSUM');
  });

  it('request capture: wire packet both ways; stored form = token in the checksum slot', () => {
    const r = v['real_device_request_cuco_plug_v3'];
    const wire = hex(r['packet_wire_hex (checksum recomputed here)']);
    const stored = hex(r['packet_as_stored_hex (token in checksum slot, pre-checksum)']);
    const payload = Buffer.from(r.plaintext_utf8, 'utf8');
    expect(encodePacket(t, { deviceId: r.did, stamp: r.stamp, payload }).equals(wire)).toBe(true);
    expect(decodePacket(t, wire).payload?.equals(payload)).toBe(true);
    expect(stored.subarray(16, 32).equals(t.bytes())).toBe(true);
    expect(createHash('md5').update(stored).digest('hex')).toBe(r.checksum_hex);
  });

  it('set_properties reply: wire packet both ways', () => {
    const r = v['real_device_set_properties_response_cuco_plug_v3'];
    const wire = hex(r['packet_wire_hex (checksum recomputed here)']);
    const d = decodePacket(t, wire);
    expect(d.payload?.toString('utf8')).toBe(r.plaintext_utf8);
    expect(encodePacket(t, { deviceId: d.header.deviceId, stamp: d.header.stamp, payload: d.payload! }).equals(wire)).toBe(true);
    expect(parseResponse(decodePayload(d.payload!).value)).toMatchObject({
      kind: 'result',
      result: [{ did: '575059092', siid: 2, piid: 1, code: 0 }],
    });
  });
});
