/**
 * The last gate before bytes leave for a notification target (pure). The payload is already built
 * from the redacted report only; this check makes a regression there fail closed: a 32-hex run
 * (a miIO token's shape) outside a `tok:` fingerprint, or any known secret in hex, base64 or raw
 * form, and nothing is sent.
 */
import { NotifyError } from './errors.js';
import type { HttpRequest } from './types.js';

// Fingerprints are `tok:` + 12 hex (codec Token); strip exactly those so they cannot hide a longer run.
const FINGERPRINT = /tok:[0-9a-f]{12}(?![0-9a-f])/gi;
const HEX_RUN = /[0-9a-f]{32}/i;

/** Forms a secret can take in a payload. Secrets shorter than 8 bytes are ignored (too many false hits). */
function secretForms(secret: string): { text: string[]; raw: Buffer[] } {
  const text: string[] = [secret.toLowerCase()];
  const raw: Buffer[] = [];
  if (/^[0-9a-f]+$/i.test(secret) && secret.length % 2 === 0) {
    const bytes = Buffer.from(secret, 'hex');
    raw.push(bytes);
    text.push(bytes.toString('base64').replace(/=+$/, '').toLowerCase(), bytes.toString('base64url').toLowerCase());
  } else {
    raw.push(Buffer.from(secret, 'utf8'));
    text.push(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, '').toLowerCase());
  }
  return { text: text.filter((t) => t.length >= 8), raw: raw.filter((b) => b.length >= 8) };
}

/** Why a string or buffer is unsafe to send, or null. Never returns the offending bytes. */
export function findUnsafe(data: string | Buffer, secrets: readonly string[] = []): string | null {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const text = buf.toString('latin1');
  if (HEX_RUN.test(text.replace(FINGERPRINT, ''))) return 'a run of 32 hex digits (token-shaped)';
  const lower = text.toLowerCase();
  for (const s of secrets) {
    if (!s) continue;
    const forms = secretForms(s);
    if (forms.text.some((t) => lower.includes(t)) || forms.raw.some((b) => buf.includes(b))) return 'a known secret';
  }
  return null;
}

/** Throws NotifyError `SCAN_ERR_NOTIFY_UNSAFE` when the body or a header (not Authorization: user-given) carries secret-shaped data. */
export function assertRequestSafe(req: HttpRequest, secrets: readonly string[] = []): void {
  const parts: [string, string | Buffer][] = [['body', req.body], ...Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'authorization').map(([k, v]): [string, string] => [`header ${k}`, v])];
  for (const [where, data] of parts) {
    const why = findUnsafe(data, secrets);
    if (why) throw new NotifyError('SCAN_ERR_NOTIFY_UNSAFE', `refusing to send a notification: its ${where} contains ${why}`);
  }
}
