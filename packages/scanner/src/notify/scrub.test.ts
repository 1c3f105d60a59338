import { describe, expect, it } from 'vitest';
import { assertRequestSafe, findUnsafe } from './scrub.js';

const TOKEN = '597137546e325664394b704c34775873';
const bytes = Buffer.from(TOKEN, 'hex');

describe('findUnsafe', () => {
  it('refuses any 32-hex run, any case, but lets fingerprints through', () => {
    expect(findUnsafe(`{"x":"${TOKEN}"}`)).toMatch(/32 hex/);
    expect(findUnsafe(TOKEN.toUpperCase())).toMatch(/32 hex/);
    expect(findUnsafe('a'.repeat(40))).toMatch(/32 hex/);
    expect(findUnsafe('fingerprint tok:1f8e30f27962 tok:4d327ca4b24a')).toBeNull();
    // a "fingerprint" that is really a token is not excused
    expect(findUnsafe(`tok:${TOKEN}`)).toMatch(/32 hex/);
    // fingerprints next to each other do not add up to a run
    expect(findUnsafe('tok:1f8e30f27962tok:1f8e30f27962tok:1f8e30f27962')).toBeNull();
    expect(findUnsafe('31 hex ' + 'b'.repeat(31))).toBeNull();
  });

  it('refuses a known secret in base64, base64url or raw bytes', () => {
    expect(findUnsafe(`x ${bytes.toString('base64')} y`, [TOKEN])).toBe('a known secret');
    expect(findUnsafe(`x ${bytes.toString('base64url')} y`, [TOKEN])).toBe('a known secret');
    expect(findUnsafe(Buffer.concat([Buffer.from('pre'), bytes, Buffer.from('post')]), [TOKEN])).toBe('a known secret');
    expect(findUnsafe('S3R14L-0001234', ['S3R14L-0001234'])).toBe('a known secret');
    expect(findUnsafe('nothing here', [TOKEN])).toBeNull();
  });

  it('checks headers and body, never the Authorization header the user gave', () => {
    const req = (headers: Record<string, string>, body = '{}') => ({ url: new URL('http://127.0.0.1/'), method: 'POST' as const, headers, body: Buffer.from(body) });
    expect(() => assertRequestSafe(req({ title: TOKEN }))).toThrow(expect.objectContaining({ code: 'SCAN_ERR_NOTIFY_UNSAFE' }));
    expect(() => assertRequestSafe(req({}, TOKEN))).toThrow(/body/);
    expect(() => assertRequestSafe(req({ authorization: `Bearer ${TOKEN}` }))).not.toThrow();
    let msg = '';
    try {
      assertRequestSafe(req({}, TOKEN));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).not.toContain(TOKEN);
  });
});
