/**
 * Secrets in reports. The default report is redacted: tokens only as fingerprints, Wi-Fi SSID/BSSID
 * and router serials masked (they identify the home; some router root passwords derive from the
 * serial, advisories.md §3.9). `--show-secrets` fills the raw values back in from scan()'s
 * `DeviceSecrets[]` and marks the report `secretsShown: true`, which every human writer shows as a
 * banner. Both functions are pure: they return a copy and never touch their input.
 */
import type { DeviceReport, DeviceSecrets, JsonValue, ScanReport } from './schema.js';

/** Any run of 32 or more hex digits: the shape of a miIO token (16 bytes). */
const HEX_RUN = /[0-9a-f]{32,}/gi;
const TOKEN_HEX = /^[0-9a-f]{32}$/i;
/** What a 32-hex run is replaced with by `redactReport`. */
export const REDACTED_HEX = '[redacted]';

/** Object keys whose string values are secret wherever they appear (extras, finding evidence). */
const SECRET_KEYS: ReadonlySet<string> = new Set(['ssid', 'bssid', 'serial', 'routerSerial', 'wifiSsid', 'wifiBssid']);
/** Keys whose values are ours and hex-shaped by design (fingerprints are 12 hex, never a token). */
const KEEP_KEYS: ReadonlySet<string> = new Set(['fingerprint', 'tokenFingerprint', 'references']);

/**
 * Keep the first two and the last character: enough for the owner to recognise, not enough to publish.
 * Same shape as the scanner's mask, so a redacted report looks the same whichever side masked it.
 * @example maskSecret('MyHomeWifi') // 'My*******i'
 */
export function maskSecret(value: string): string {
  const chars = [...value];
  if (chars.length <= 3) return '*'.repeat(chars.length);
  return chars.slice(0, 2).join('') + '*'.repeat(chars.length - 3) + chars[chars.length - 1];
}

/** A value the scanner (or `maskSecret`) already masked: two characters at most, stars, one character. */
function looksMasked(value: string): boolean {
  return /^[^*]{0,2}\*+[^*]?$/su.test(value);
}

type Mutable = { [key: string]: JsonValue | undefined };
const isObject = (v: unknown): v is Mutable => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep, mutable copy (reports are plain JSON data). */
function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The secrets that belong to a device: same device id when both sides know one, else same MAC,
 * else same IP (the scan fills DeviceSecrets from the same record as the DeviceReport).
 */
export function secretsForDevice(device: Pick<DeviceReport, 'ip' | 'mac' | 'deviceId'>, secrets: readonly DeviceSecrets[]): DeviceSecrets | undefined {
  if (device.deviceId !== null) {
    const byId = secrets.find((s) => s.deviceId === device.deviceId);
    if (byId !== undefined) return byId;
  }
  if (device.mac !== null) {
    const mac = device.mac.toLowerCase();
    const byMac = secrets.find((s) => s.mac !== null && s.mac.toLowerCase() === mac && (s.deviceId === null || device.deviceId === null));
    if (byMac !== undefined) return byMac;
  }
  return secrets.find((s) => s.ip === device.ip && (s.deviceId === null || device.deviceId === null || s.deviceId === device.deviceId));
}

/**
 * A copy of `report` with the raw secrets filled in and `secretsShown: true`: `token.value` (token
 * hex), `extras.wifi.ssid` / `extras.wifi.bssid` in clear, `extras.router.serial` (also kept beside
 * a legacy `extras.routerInitInfo`). Only for `--show-secrets`; the input stays untouched.
 * @example revealSecrets(report, [{ ip: '192.168.1.9', deviceId: '42', mac: null, token: '00…ff' }])
 */
export function revealSecrets(report: ScanReport, secrets: readonly DeviceSecrets[]): ScanReport {
  const devices = report.devices.map((d): DeviceReport => {
    const s = secretsForDevice(d, secrets);
    if (s === undefined) return d;
    const out = clone(d) as DeviceReport & { token: DeviceReport['token'] & { value?: string } };
    if (s.token !== undefined && TOKEN_HEX.test(s.token)) out.token = { ...out.token, value: s.token.toLowerCase() };
    const extras: Mutable = isObject(out.extras) ? (out.extras as Mutable) : {};
    if (s.wifiSsid !== undefined || s.wifiBssid !== undefined) {
      const wifi: Mutable = isObject(extras['wifi']) ? extras['wifi'] : {};
      if (s.wifiSsid !== undefined) wifi['ssid'] = s.wifiSsid;
      if (s.wifiBssid !== undefined) wifi['bssid'] = s.wifiBssid;
      extras['wifi'] = wifi as JsonValue;
    }
    if (s.routerSerial !== undefined) {
      const key = !isObject(extras['router']) && isObject(extras['routerInitInfo']) ? 'routerInitInfo' : 'router';
      const router: Mutable = isObject(extras[key]) ? (extras[key] as Mutable) : {};
      router['serial'] = s.routerSerial;
      extras[key] = router as JsonValue;
    }
    if (Object.keys(extras).length > 0) (out as { extras?: unknown }).extras = extras;
    return out;
  });
  return { ...report, secretsShown: true, devices };
}

/** Replace every raw secret in one string: known values by their mask, any 32-hex run by a marker. */
function scrubString(value: string, known: readonly string[]): string {
  let s = value;
  for (const k of known) if (s.includes(k)) s = s.split(k).join(maskSecret(k));
  return s.replace(HEX_RUN, REDACTED_HEX);
}

function scrub(value: unknown, known: readonly string[], key: string | null): unknown {
  if (key !== null && KEEP_KEYS.has(key)) return value;
  if (typeof value === 'string') {
    if (key !== null && SECRET_KEYS.has(key) && !looksMasked(value)) return maskSecret(value);
    return scrubString(value, known);
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, known, null));
  if (isObject(value)) {
    const out: Mutable = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      // Keys are device-supplied too (mDNS TXT keys): a token smuggled into a key goes as well.
      out[scrubString(k, known)] = scrub(v, known, k) as JsonValue;
    }
    return out;
  }
  return value;
}

/**
 * The default, publishable form of a report (a copy): no `secretsShown`, no `token.value`, SSID /
 * BSSID / serial values masked wherever they sit (keys `ssid`, `bssid`, `serial` …), every raw value
 * from `secrets` (when given) replaced by its mask, and any 32-hex run in any string (outside
 * `references` and fingerprints) replaced by `[redacted]`. Idempotent.
 * @example redactReport(revealSecrets(report, secrets)) // no raw secret left
 */
export function redactReport(report: ScanReport, secrets: readonly DeviceSecrets[] = []): ScanReport {
  const known = new Set<string>();
  for (const s of secrets) {
    for (const v of [s.token, s.wifiSsid, s.wifiBssid, s.routerSerial]) {
      // Very short values would mask unrelated text (an SSID "ab"); the key rule still masks them in place.
      if (v !== undefined && v.length >= 4) known.add(v);
    }
  }
  // Longest first, so a value that contains another is masked whole.
  const knownList = [...known].sort((a, b) => b.length - a.length);
  const { secretsShown: _shown, ...rest } = report;
  const devices = rest.devices.map((d) => {
    const { value: _value, ...token } = d.token as DeviceReport['token'] & { value?: string };
    return { ...d, token };
  });
  return scrub({ ...rest, devices }, knownList, null) as ScanReport;
}

/**
 * Where a report still holds something secret-shaped: JSON paths of 32-hex runs outside references
 * and fingerprints, of `token.value`, and of unmasked SSID/BSSID/serial values. Empty for a
 * redacted report. For tests and for the history step's guard.
 */
export function findRawSecrets(report: ScanReport): string[] {
  const hits: string[] = [];
  const walk = (value: unknown, path: string, key: string | null): void => {
    if (key !== null && KEEP_KEYS.has(key)) return;
    if (typeof value === 'string') {
      if (new RegExp(HEX_RUN.source, 'i').test(value)) hits.push(path);
      else if (key !== null && SECRET_KEYS.has(key) && !looksMasked(value)) hits.push(path);
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, null));
    else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (new RegExp(HEX_RUN.source, 'i').test(k)) hits.push(`${path}.${k}`);
        walk(v, `${path}.${k}`, k);
      }
    }
  };
  report.devices.forEach((d, i) => {
    if ((d.token as { value?: unknown }).value !== undefined) hits.push(`$.devices[${i}].token.value`);
  });
  const { devices, ...rest } = report;
  walk(rest, '$', null);
  devices.forEach((d, i) => {
    const { token: { value: _v, ...token }, ...dev } = d as DeviceReport & { token: { value?: string } };
    walk({ ...dev, token }, `$.devices[${i}]`, null);
  });
  return hits;
}
