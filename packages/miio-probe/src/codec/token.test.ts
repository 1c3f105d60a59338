/** Token never prints its secret (style.md §7.11): only the `tok:` fingerprint. */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, formatWithOptions, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Token, decodeHelloReply, encodeHelloReply } from './index.js';

const HEX = 'ed0ec8e98fd21edd701ee653713a293b';
const token = Token.fromHex(HEX);
const raw = Buffer.from(HEX, 'hex');
const forbidden = [
  HEX,
  HEX.toUpperCase(),
  raw.toString('base64'),
  raw.toString('base64url'),
  raw.toString('base64').slice(0, 20), // any long chunk of it
  HEX.slice(0, 16),
  HEX.slice(16),
];

function assertClean(text: string, how: string) {
  for (const f of forbidden) expect(text, `${how} leaked ${f.length} chars`).not.toContain(f);
  expect(text, how).toContain(token.fingerprint);
}

/** What console.log would print, captured through a real Console on a memory stream. */
function consoleOutput(...args: unknown[]): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  new Console({ stdout: sink, stderr: sink }).log(...args);
  return out;
}

describe('Token formatting', () => {
  const nested = { device: { ip: '127.0.0.1', token }, list: [token] };
  const forms: Array<[string, () => string]> = [
    ['String()', () => String(token)],
    ['toString()', () => token.toString()],
    ['template literal', () => `${token}`],
    ['string concat', () => 'x' + token],
    ['JSON.stringify', () => JSON.stringify(token)],
    ['JSON.stringify nested', () => JSON.stringify(nested)],
    ['util.inspect', () => inspect(token)],
    ['util.inspect showHidden', () => inspect(token, { showHidden: true, depth: Infinity, getters: true })],
    ['util.inspect nested', () => inspect(nested, { depth: 10, showHidden: true })],
    ['util.format %s', () => format('%s', token)],
    ['util.format %o', () => format('%o', token)],
    ['util.format %O', () => format('%O', nested)],
    ['util.format %j', () => format('%j', nested)],
    ['util.format bare', () => format(token, nested)],
    ['formatWithOptions colors', () => formatWithOptions({ colors: true }, '%o', nested)],
    ['console.log', () => consoleOutput(token)],
    ['console.log %s', () => consoleOutput('token=%s', token)],
    ['console.log object', () => consoleOutput({ token })],
    ['Error message + cause', () => inspect(new Error(`bad ${token}`, { cause: token }))],
  ];
  it.each(forms)('%s shows only the fingerprint', (how, fn) => {
    assertClean(fn(), how);
  });

  it('fingerprint is tok: + 12 hex of SHA-256 and stable', () => {
    expect(token.fingerprint).toMatch(/^tok:[0-9a-f]{12}$/);
    expect(Token.fromHex(HEX.toUpperCase()).fingerprint).toBe(token.fingerprint);
    expect(Token.fromHex('00000000000000000000000000000000').fingerprint).toBe('tok:374708fff771');
  });

  it('no enumerable property or own key exposes the bytes', () => {
    assertClean(JSON.stringify(Object.entries(token)) + token.fingerprint, 'Object.entries');
    expect(Object.keys(token)).toEqual(['fingerprint']);
    assertClean(JSON.stringify({ ...token }), 'spread');
  });

  it('a token decoded from a hello reply is just as quiet', () => {
    const reply = decodeHelloReply(encodeHelloReply({ deviceId: 1, stamp: 2, tokenField: raw }));
    assertClean(JSON.stringify(reply, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), 'hello JSON');
    assertClean(inspect(reply, { depth: 5 }), 'hello inspect');
  });

  it('revealHex / bytes are the explicit ways out, and bytes() is a copy', () => {
    expect(token.revealHex()).toBe(HEX);
    const b = token.bytes();
    b.fill(0);
    expect(token.revealHex()).toBe(HEX);
  });

  it('equals compares bytes; fromHex trims and accepts upper case', () => {
    expect(token.equals(Token.fromBytes(raw))).toBe(true);
    expect(token.equals(Token.fromHex(` ${HEX.toUpperCase()}\n`))).toBe(true);
    expect(token.equals(Token.fromHex('0'.repeat(32)))).toBe(false);
    expect(Token.isHex(HEX)).toBe(true);
    expect(Token.isHex('xyz')).toBe(false);
  });
});
