/** Identity normalisation shared by the token parsers and the matcher. Pure. */

const MAC_PARTS = /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;
const MAC_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

/** `78:11:dc:12:34:56`, `78-11-DC-12-34-56`, `7811dc123456`, `7811.dc12.3456` → `78:11:DC:12:34:56`. */
export function normaliseMac(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.trim();
  const dotted = MAC_DOTTED.exec(s);
  const hex = dotted ? dotted.slice(1).join('') : s;
  const m = MAC_PARTS.exec(hex);
  if (!m) return undefined;
  // Separators must be consistent: `78:11-dc…` is junk, not a MAC.
  if (!dotted && /[:-]/.test(s) && !/^[0-9a-f]{2}([:-])([0-9a-f]{2}\1){4}[0-9a-f]{2}$/i.test(s)) return undefined;
  return m.slice(1).join(':').toUpperCase();
}

export function isIPv4(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  const parts = input.trim().split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p === '0' || !p.startsWith('0')));
}

/**
 * miIO device ids are uint32 decimals (header bytes 8-11, protocols.md §1.2); cloud records carry
 * them as strings. Sub-devices have ids such as `lumi.158d…` or `blt.3.…`: not miIO, undefined.
 */
export function normaliseDeviceId(input: unknown): string | undefined {
  let n: number;
  if (typeof input === 'number') n = input;
  else if (typeof input === 'string' && /^\d{1,10}$/.test(input.trim())) n = Number(input.trim());
  else return undefined;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? String(n) : undefined;
}

/** Classify a lookup key of a native map or positional CSV: device id, MAC or IPv4. */
export function classifyKey(key: string): { deviceId: string } | { mac: string } | { ip: string } | null {
  const did = normaliseDeviceId(key);
  if (did !== undefined) return { deviceId: did };
  const mac = normaliseMac(key);
  if (mac !== undefined) return { mac };
  if (isIPv4(key)) return { ip: key.trim() };
  return null;
}
