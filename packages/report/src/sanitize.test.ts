import { describe, expect, it } from 'vitest';
import { hasTerminalControls, sanitizeForTerminal } from './sanitize.js';

describe('sanitizeForTerminal', () => {
  it.each([
    ['plain text stays', 'Living room lamp', 'Living room lamp'],
    ['SGR colour', 'lamp\u001b[31m red\u001b[0m', 'lamp red'],
    ['clear screen + cursor home', '\u001b[2J\u001b[Hx', 'x'],
    ['OSC title with BEL', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['OSC hyperlink with ST', '\u001b]8;;http://evil\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['unterminated OSC eats the rest', 'ok\u001b]0;never ends', 'ok'],
    ['8-bit CSI', 'a\u009b31mb', 'ab'],
    ['lone ESC c (reset)', 'a\u001bcb', 'ab'],
    ['newlines become spaces', 'line1\r\nline2\tx', 'line1 line2 x'],
    ['NUL, BEL, DEL', 'a\u0000b\u0007c\u007fd', 'abcd'],
    ['bidi override', 'abc\u202egpj.exe', 'abcgpj.exe'],
    ['telnet banner', '\r\n\r\nrlxlinux login: ', 'rlxlinux login:'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeForTerminal(input)).toBe(expected);
    expect(hasTerminalControls(sanitizeForTerminal(input))).toBe(false);
  });

  it('caps the length with an ellipsis', () => {
    const out = sanitizeForTerminal('x'.repeat(10_000), { maxLength: 20 });
    expect(out).toHaveLength(20);
    expect(out.endsWith('…')).toBe(true);
  });

  it('accepts non-strings without throwing', () => {
    expect(sanitizeForTerminal(undefined)).toBe('');
    expect(sanitizeForTerminal(null)).toBe('');
    expect(sanitizeForTerminal(42)).toBe('42');
  });

  it('never leaves ESC in the output for random control soup', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      let s = '';
      for (let j = 0; j < 40; j++) s += String.fromCharCode(Math.floor(rnd() * 0xa0));
      const out = sanitizeForTerminal(s, { maxLength: 1000 });
      expect(hasTerminalControls(out)).toBe(false);
    }
  });
});
