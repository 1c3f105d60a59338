/**
 * Pure parsers for what mDNS says about a Xiaomi device: instance / host names and TXT entries
 * (protocols.md §4.1-§4.5).
 */

export interface MiioName {
  /** `zhimi.airpurifier.m1` from `zhimi-airpurifier-m1`. */
  model: string;
  /** Decimal did as written (not zero-padded; 6 digits happen, §4.1). */
  deviceId: string;
}

/** §4.1: `^(.+)_miio(\d+)(?:\.|$)`, model dashes → dots. Works on instance names and host names. */
const MIIO_NAME = /^(.+)_miio(\d+)(?:\.|$)/;
const MAX_DID = 2n ** 64n - 1n;

export function parseMiioName(name: string): MiioName | null {
  const m = MIIO_NAME.exec(name.trim());
  if (m === null) return null;
  const modelPart = m[1]!;
  const did = m[2]!;
  // The did is at most 64 bits (§1.2); a longer digit run is not a miIO name.
  if (did.length > 20 || BigInt(did) > MAX_DID) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(modelPart)) return null;
  return { model: modelPart.toLowerCase().replace(/-/g, '.'), deviceId: BigInt(did).toString() };
}

/** Parse TXT character-strings into key → value (first `=` splits; later duplicates ignored, RFC 6763 §6.4). */
export function parseTxtStrings(strings: ReadonlyArray<Buffer | string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of strings) {
    const text = typeof s === 'string' ? s : s.toString('latin1');
    if (text.length === 0) continue;
    const eq = text.indexOf('=');
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key === '' || key in out) continue;
    out[key] = eq < 0 ? '' : text.slice(eq + 1);
  }
  return out;
}

const MAC_IN_TEXT = /mac=([0-9a-fA-F]{12})(?![0-9a-fA-F])/;

/**
 * MAC from a `_miio._udp` TXT: `mac=<12 hex>`, or the malformed `poch=0:mac=<12 hex>\0` form that
 * a parser produces when the device omits the first length byte (§4.1). Also searches raw bytes.
 */
export function macFromTxt(txt: Readonly<Record<string, string>>, raw?: ReadonlyArray<Buffer>): string | null {
  const direct = txt['mac'];
  if (direct !== undefined && /^[0-9a-fA-F]{12}$/.test(direct.trim())) return direct.trim().toLowerCase();
  for (const value of Object.values(txt)) {
    const m = MAC_IN_TEXT.exec(value);
    if (m) return m[1]!.toLowerCase();
  }
  for (const b of raw ?? []) {
    const m = MAC_IN_TEXT.exec(b.toString('latin1'));
    if (m) return m[1]!.toLowerCase();
  }
  return null;
}

/** Strip `.local`/trailing dot and the service type from a full instance name. */
export function instanceLabel(fullName: string, type: string): string {
  let n = fullName.replace(/\.$/, '');
  const suffix = `.${type.replace(/\.$/, '')}`;
  if (n.toLowerCase().endsWith(suffix.toLowerCase())) n = n.slice(0, -suffix.length);
  else {
    const local = `.${type.replace(/\.local\.?$/, '')}`;
    if (n.toLowerCase().endsWith(local.toLowerCase())) n = n.slice(0, -local.length);
  }
  return n;
}
