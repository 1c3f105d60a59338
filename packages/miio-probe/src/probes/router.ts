/**
 * Xiaomi / Redmi router: the unauthenticated LuCI `xqsystem/init_info` endpoint (protocols.md §5.4,
 * advisories.md §3.11). Read-only GET. The serial (`id`) is sensitive — some models derive their
 * root password from it (advisories.md §3.9) — so it is never returned whole: only a masked form
 * and the fact that it was exposed.
 */
import { SecretText } from '../secret.js';
import { createTcpConnector } from '../transport/tcp.js';
import { type ProbeResult, fail, ok } from './errors.js';
import { httpGet, parseJsonObject } from './http-get.js';
import { cleanText } from './read.js';
import type { TcpConnector } from './types.js';

/** Classic path first; post-2023 firmware reportedly serves it without `/cgi-bin/luci` [unconfirmed] (§5.4). */
export const INIT_INFO_PATHS: readonly string[] = ['/cgi-bin/luci/api/xqsystem/init_info', '/api/xqsystem/init_info'];

export interface RouterInitInfo {
  path: string;
  hardware?: string;
  romversion?: string;
  model?: string;
  /** false = factory state (`inited: 0`). */
  inited?: boolean;
  countrycode?: string;
  routername?: string;
  displayName?: string;
  /** 1 = SHA-256 login hashing, else SHA-1 (xmir-patcher reads it). */
  newEncryptMode?: number;
  /** True when the reply carried a non-empty serial number (`id`). */
  serialExposed: boolean;
  /** e.g. `364**********82`: first 3 and last 2 characters, the rest masked. Never the whole serial. */
  serialMasked?: string;
  /** The serial itself, wrapped: prints masked; `reveal()` only for --show-secrets. */
  serial?: SecretText;
}

export interface RouterProbeOptions {
  ip: string;
  port?: number;
  connector?: TcpConnector;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Mask a serial: keep the first 3 and last 2 characters when it is at least 8 long, otherwise
 * mask all of it; the masked run is always 10 `*` so the length is not revealed either.
 */
export function maskSerial(serial: string): string {
  const s = cleanText(serial, 64);
  if (s.length < 8) return '*'.repeat(10);
  return `${s.slice(0, 3)}${'*'.repeat(10)}${s.slice(-2)}`;
}

const str = (v: unknown, max = 64): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? cleanText(v, max) : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** Pure: the JSON object of an init_info reply → the fields we keep. Null when it is not init_info. */
export function parseInitInfo(obj: Record<string, unknown>, path: string): RouterInitInfo | null {
  const known = ['hardware', 'romversion', 'model', 'inited', 'countrycode', 'id', 'routername'];
  if (!known.some((k) => k in obj)) return null;
  if (typeof obj['code'] === 'number' && obj['code'] !== 0) return null;
  const serial = typeof obj['id'] === 'string' ? obj['id'].trim() : typeof obj['id'] === 'number' ? String(obj['id']) : '';
  const info: RouterInitInfo = { path, serialExposed: serial !== '' };
  const set = <K extends keyof RouterInitInfo>(key: K, value: RouterInitInfo[K] | undefined): void => {
    if (value !== undefined) info[key] = value;
  };
  set('hardware', str(obj['hardware']));
  set('romversion', str(obj['romversion']));
  set('model', str(obj['model']));
  const inited = obj['inited'];
  set('inited', inited === 1 || inited === '1' || inited === true ? true : inited === 0 || inited === '0' || inited === false ? false : undefined);
  set('countrycode', str(obj['countrycode'], 8));
  set('routername', str(obj['routername']));
  set('displayName', str(obj['displayName']));
  set('newEncryptMode', typeof obj['newEncryptMode'] === 'number' ? obj['newEncryptMode'] : undefined);
  if (serial !== '') {
    info.serialMasked = maskSerial(serial);
    info.serial = new SecretText(serial, maskSerial);
  }
  return info;
}

export async function probeRouterInitInfo(options: RouterProbeOptions): Promise<ProbeResult<RouterInitInfo>> {
  const connector = options.connector ?? createTcpConnector();
  let last: ProbeResult<RouterInitInfo> = fail('MIIO_ERR_PROBE_NOT_FOUND', `no init_info on ${options.ip}`);
  for (const path of INIT_INFO_PATHS) {
    const res = await httpGet({
      connector,
      host: options.ip,
      port: options.port ?? 80,
      path,
      connectTimeoutMs: options.connectTimeoutMs,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: 64 * 1024,
      signal: options.signal,
    });
    if (!res.ok) {
      // Connection-level failures will not get better on the second path.
      if (res.error.code !== 'MIIO_ERR_PROBE_BAD_REPLY') return { ok: false, error: res.error };
      last = res;
      continue;
    }
    if (res.value.status !== 200) {
      last = fail('MIIO_ERR_PROBE_NOT_FOUND', `${options.ip} answered ${res.value.status} for init_info`);
      continue;
    }
    const obj = parseJsonObject(res.value.body);
    const info = obj ? parseInitInfo(obj, path) : null;
    if (info) return ok(info);
    last = fail('MIIO_ERR_PROBE_BAD_REPLY', `${options.ip} init_info reply is not the expected JSON`);
  }
  return last;
}
