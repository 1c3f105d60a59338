/**
 * Terminal-safe text from device-supplied strings. A hostile device can name itself
 * "\x1b]0;pwned\x07\x1b[2J" (an mDNS instance, SSDP `name:`, a telnet banner); printed raw, that
 * retitles or clears the user's terminal, or hides a line. Everything that did not come from us goes
 * through `sanitizeForTerminal` before a terminal writer prints it.
 */

// CSI: ESC [ params intermediates final (ECMA-48 §5.4); also the 8-bit CSI introducer U+009B.
const CSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?/g;
// OSC / DCS / SOS / PM / APC strings run to BEL or ST (ESC \ or U+009C); unterminated ones to the end.
const STRING_SEQ = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;
// Any other two-byte escape (ESC c = reset, ESC 7/8 …).
const ESC_OTHER = /\u001b[\s\S]?/g;
// Remaining C0 controls, DEL, C1 controls.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidirectional overrides and isolates reorder what the user sees (the "Trojan Source" trick).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export interface SanitizeOptions {
  /** Longest result, in characters (an ellipsis marks a cut). Default 200. */
  maxLength?: number;
}

/**
 * Strip escape sequences and control characters; newlines and tabs become spaces; runs of
 * whitespace collapse. Never throws; non-strings are converted with `String()`.
 * @example sanitizeForTerminal('lamp\u001b[31m red\u001b[0m') // 'lamp red'
 */
export function sanitizeForTerminal(value: unknown, options: SanitizeOptions = {}): string {
  const max = options.maxLength ?? 200;
  let s = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  // Bound the work on a huge banner before running regexes over it.
  if (s.length > max * 8 + 64) s = s.slice(0, max * 8 + 64);
  s = s
    .replace(STRING_SEQ, '')
    .replace(CSI, '')
    .replace(ESC_OTHER, '')
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (s.length > max) s = s.slice(0, Math.max(0, max - 1)) + '…';
  return s;
}

/** True when the string would be changed by `sanitizeForTerminal` for reasons other than length. */
export function hasTerminalControls(value: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(value);
}
