/**
 * `miIO.info` → a typed, bounded `MiioInfo` (protocols.md §3). The device is hostile input: every
 * field is type- and bounds-checked, a bad field becomes `undefined` plus an anomaly, and the token
 * the reply usually echoes (§2.3) is dropped here, keeping only whether it was there and matched.
 */
import { MiioBadReplyError } from './errors.js';
import type { MiioClient, MiioRequestOptions } from './client.js';
import { Token } from './codec/token.js';

export interface MiioInfoAp {
  ssid?: string;
  bssid?: string;
  rssi?: number;
}

export interface MiioInfoNetif {
  localIp?: string;
  mask?: string;
  gw?: string;
}

export interface MiioInfo {
  model?: string;
  fwVer?: string;
  hwVer?: string;
  /** Upper-case, colon-separated. */
  mac?: string;
  wifiFwVer?: string;
  mcuFwVer?: string;
  miioVer?: string;
  ap?: MiioInfoAp;
  netif?: MiioInfoNetif;
  /** Uptime in seconds (equals the header stamp on cuco.plug.v3, §1.8). */
  life?: number;
  /** Cloud transport: `otu` (UDP) / `ott` (TCP). */
  ot?: string;
  /** The owner's Xiaomi account id was in the reply; the id itself is personal data and is not kept. */
  uidPresent: boolean;
  /**
   * Whether the reply carried a `token` field, and whether it equals the client's token (`null`: no
   * token in the reply, or nothing to compare with). The value itself is never kept.
   */
  token: { present: boolean; matches: boolean | null };
  /** Names of other top-level result fields (bounded), for evidence. */
  otherFields: string[];
  /** Fields that were present but failed their type or bounds check. */
  anomalies: string[];
}

const MAX_STRING = 128;
const MAX_OTHER_FIELDS = 64;
const KNOWN = new Set([
  'model', 'fw_ver', 'hw_ver', 'mac', 'wifi_fw_ver', 'mcu_fw_ver', 'miio_ver', 'ap', 'netif', 'life', 'ot', 'uid', 'token',
]);
const MAC = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;
// model ids are vendor.type.version in lower case (§3); a few vendors use digits or '-'/'_'.
const MODEL = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+){1,4}$/i;

/** Printable, bounded text: no control characters (they would corrupt terminal and HTML reports). */
function text(v: unknown, max = MAX_STRING): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(v)) return undefined;
  return v;
}

function ipv4(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 15) return undefined;
  const parts = v.split('.');
  if (parts.length !== 4) return undefined;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) ? v : undefined;
}

function int(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validate a `miIO.info` result object. Pure; exported for the simulator and tests.
 *
 * @example
 *   parseMiioInfo({ model: 'cuco.plug.v3', token: '…' }, token).token // { present: true, matches: true }
 */
export function parseMiioInfo(result: unknown, clientToken: Token | null): MiioInfo {
  if (!isRecord(result)) throw new MiioBadReplyError('MIIO_ERR_BAD_REPLY', 'miIO.info result is not an object');
  const anomalies: string[] = [];
  const pick = <T>(key: string, check: (v: unknown) => T | undefined): T | undefined => {
    if (!(key in result) || result[key] === undefined || result[key] === null) return undefined;
    const v = check(result[key]);
    if (v === undefined) anomalies.push(key);
    return v;
  };
  const sub = <T extends object>(key: string, build: (o: Record<string, unknown>, bad: (k: string) => void) => T): T | undefined => {
    const v = result[key];
    if (v === undefined || v === null) return undefined;
    if (!isRecord(v)) {
      anomalies.push(key);
      return undefined;
    }
    return build(v, (k) => anomalies.push(`${key}.${k}`));
  };
  const field = <T>(o: Record<string, unknown>, k: string, check: (v: unknown) => T | undefined, bad: (k: string) => void): T | undefined => {
    if (o[k] === undefined || o[k] === null) return undefined;
    const v = check(o[k]);
    if (v === undefined) bad(k);
    return v;
  };

  const info: MiioInfo = {
    uidPresent: 'uid' in result && result['uid'] !== null && result['uid'] !== undefined,
    token: tokenVerdict(result['token'], clientToken, anomalies),
    otherFields: Object.keys(result)
      .filter((k) => !KNOWN.has(k))
      .slice(0, MAX_OTHER_FIELDS)
      .map((k) => k.slice(0, 64)),
    anomalies,
  };
  const set = <K extends keyof MiioInfo>(k: K, v: MiioInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('model', pick('model', (v) => { const s = text(v, 64); return s && MODEL.test(s) ? s : undefined; }));
  set('fwVer', pick('fw_ver', (v) => text(v)));
  set('hwVer', pick('hw_ver', (v) => text(v)));
  set('mac', pick('mac', (v) => (typeof v === 'string' && MAC.test(v) ? v.toUpperCase() : undefined)));
  set('wifiFwVer', pick('wifi_fw_ver', (v) => text(v)));
  set('mcuFwVer', pick('mcu_fw_ver', (v) => text(v)));
  set('miioVer', pick('miio_ver', (v) => text(v, 32)));
  set('life', pick('life', (v) => int(v, 0, 0xffffffff)));
  set('ot', pick('ot', (v) => text(v, 16)));
  set(
    'ap',
    sub('ap', (o, bad) => {
      const ap: MiioInfoAp = {};
      // SSIDs are at most 32 bytes; escapes and UTF-8 make the JS string shorter or equal.
      const ssid = field(o, 'ssid', (v) => (typeof v === 'string' && v.length <= 64 && !/[\u0000-\u001f\u007f]/.test(v) ? v : undefined), bad);
      const bssid = field(o, 'bssid', (v) => (typeof v === 'string' && MAC.test(v) ? v.toUpperCase() : undefined), bad);
      const rssi = field(o, 'rssi', (v) => int(v, -128, 127), bad);
      if (ssid !== undefined) ap.ssid = ssid;
      if (bssid !== undefined) ap.bssid = bssid;
      if (rssi !== undefined) ap.rssi = rssi;
      return ap;
    }),
  );
  set(
    'netif',
    sub('netif', (o, bad) => {
      const n: MiioInfoNetif = {};
      const localIp = field(o, 'localIp', ipv4, bad);
      const mask = field(o, 'mask', ipv4, bad);
      const gw = field(o, 'gw', ipv4, bad);
      if (localIp !== undefined) n.localIp = localIp;
      if (mask !== undefined) n.mask = mask;
      if (gw !== undefined) n.gw = gw;
      return n;
    }),
  );
  return info;
}

function tokenVerdict(v: unknown, clientToken: Token | null, anomalies: string[]): MiioInfo['token'] {
  if (v === undefined || v === null) return { present: false, matches: null };
  if (typeof v !== 'string' || !Token.isHex(v)) {
    // Masked fixtures ("68ffff…") are still hex; anything else is malformed. Never echo the value.
    anomalies.push('token');
    return { present: true, matches: clientToken ? false : null };
  }
  if (!clientToken) return { present: true, matches: null };
  return { present: true, matches: Token.fromHex(v).equals(clientToken) };
}

/**
 * Read-only `miIO.info` (§3) through `client`, validated. Throws the client's typed errors.
 *
 * @example
 *   const info = await readMiioInfo(client, { signal });
 *   info.model // 'cuco.plug.v3'
 */
export async function readMiioInfo(client: MiioClient, options?: MiioRequestOptions): Promise<MiioInfo> {
  const result = await client.call<unknown>('miIO.info', [], options);
  return parseMiioInfo(result, client.token);
}
