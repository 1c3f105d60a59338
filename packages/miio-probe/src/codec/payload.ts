import { asBuffer } from './buffer-view.js';
import { MiioCodecError } from './errors.js';

/** Names of the device quirks the tolerant decoder repaired, for evidence and debugging. */
export type PayloadQuirk =
  | 'trailing-nul'
  | 'garbage-after-nul'
  | 'double-comma'
  | 'empty-value'
  | 'leading-zero-number'
  | 'sparse-array'
  | 'control-chars';

export interface DecodedPayload {
  /** Parsed JSON; `null` for an empty payload, which is a valid reply (mgl03 without Internet, §1.7). */
  value: unknown;
  empty: boolean;
  quirks: PayloadQuirk[];
}

/** One strict decoder for every payload: decode() without `stream` keeps no state between calls (issue 7). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Upper bound on the text we try to repair; larger payloads are parsed strictly or rejected. */
const MAX_REPAIR_LENGTH = 64 * 1024;

/** UTF-8 JSON plus one trailing NUL, as python-miio sends (devices accept both forms, §1.7). */
export function encodePayload(value: unknown, options: { trailingNul?: boolean } = {}): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    // BigInt, cycles or a throwing toJSON: a typed error, not a bare TypeError.
    throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'value is not JSON-serialisable', { cause });
  }
  if (json === undefined) throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'value is not JSON-serialisable');
  const text = Buffer.from(json, 'utf8');
  return options.trailingNul === false ? text : Buffer.concat([text, Buffer.alloc(1)]);
}

/**
 * Decode a decrypted payload, tolerating the malformed JSON real devices send (protocols.md §1.7):
 * trailing NULs, garbage after an embedded NUL, `,,`, `"result":,`, `"value":00`, `[,]`.
 */
export function decodePayload(plaintext: Uint8Array): DecodedPayload {
  const quirks: PayloadQuirk[] = [];
  const all = asBuffer(plaintext);
  let end = all.length;
  while (end > 0 && all[end - 1] === 0) end--;
  if (end !== all.length) quirks.push('trailing-nul');
  // Cloud reply `_sync.batch_gen_room_up_url` carries garbage after an embedded NUL (python-miio quirks).
  // The first NUL at or past `end` is the trailing run: only one before it is embedded.
  const nul = end === 0 ? -1 : all.indexOf(0);
  if (nul !== -1 && nul < end) {
    quirks.push('garbage-after-nul');
    end = nul;
  }
  if (end === 0) return { value: null, empty: true, quirks };
  // A view only when something was cut: subarray() costs about as much as the UTF-8 check (issue 7).
  const bytes = end === all.length ? all : all.subarray(0, end);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (cause) {
    throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'payload is not valid UTF-8', { cause });
  }
  // The common case, strict JSON, parsed inline: no result object of tryParse() to allocate (issue 7).
  try {
    return { value: JSON.parse(text) as unknown, empty: false, quirks };
  } catch {
    // Not strict JSON (SyntaxError, or RangeError on absurd nesting): try the known device quirks below.
  }
  if (text.length > MAX_REPAIR_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_PAYLOAD', `payload of ${text.length} characters is not valid JSON`);
  }
  const repaired = repair(text, quirks);
  const second = tryParse(repaired);
  if (second.ok) return { value: second.value, empty: false, quirks };
  throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'payload is not valid JSON, even after known device quirks');
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // SyntaxError, or RangeError on absurd nesting: both mean "not JSON we accept".
    return { ok: false };
  }
}

/**
 * One forward pass that rewrites outside string literals only (an SSID containing `,,` is left alone),
 * with a bracket stack so elided array elements become `null` and stray object commas are dropped.
 */
function repair(text: string, quirks: PayloadQuirk[]): string {
  const note = (q: PayloadQuirk) => {
    if (!quirks.includes(q)) quirks.push(q);
  };
  const stack: string[] = [];
  let out = '';
  let prev = ''; // last significant character emitted outside strings
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      else if (c < ' ') {
        // Raw control characters inside strings (node-miio strips them, lib/network.js).
        note('control-chars');
        continue;
      }
      out += c;
      continue;
    }
    const inArray = stack[stack.length - 1] === '[';
    switch (c) {
      case '"':
        inString = true;
        out += c;
        prev = c;
        continue;
      case '[':
      case '{':
        stack.push(c);
        break;
      case ',':
        if (prev === ':') {
          // `"result":,` (xiaomi.vacuum.b112).
          note('empty-value');
          out += 'null';
        } else if (inArray && (prev === '[' || prev === ',')) {
          // `[,]` / `[,,]` (Aqara lumi.motion.aq2, node-miio safeishJSON): elided elements are null.
          note('sparse-array');
          out += 'null';
        } else if (prev === ',' || prev === '{') {
          // `,,"otu_stat"` (powerstrip without cloud): drop the extra comma.
          note('double-comma');
          continue;
        }
        break;
      case '}':
      case ']':
        if (prev === ':') {
          note('empty-value');
          out += 'null';
        } else if (prev === ',') {
          if (c === ']') {
            note('sparse-array');
            out += 'null';
          } else {
            note('double-comma');
            out = out.slice(0, out.lastIndexOf(','));
          }
        }
        stack.pop();
        break;
      case '0':
        if (!/[0-9.eE+-]/.test(prev) && /[0-9]/.test(text[i + 1] ?? '')) {
          // `"value":00` (090615.curtain.jldj03): leading zeros are not JSON numbers.
          note('leading-zero-number');
          continue;
        }
        break;
      default:
        break;
    }
    out += c;
    if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') prev = c;
  }
  return out;
}
