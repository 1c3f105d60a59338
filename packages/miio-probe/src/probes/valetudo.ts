/**
 * Valetudo (cloud replacement on rooted robots, protocols.md §4.5): GET /api/v2/valetudo/version.
 * Its default config has basic auth off, so a 200 here means an unauthenticated control UI
 * (advisories.md §3.5). Read-only.
 */
import { createTcpConnector } from '../transport/tcp.js';
import { type ProbeResult, fail, ok } from './errors.js';
import { httpGet, parseJsonObject } from './http-get.js';
import { cleanText } from './read.js';
import type { TcpConnector } from './types.js';

export const VALETUDO_VERSION_PATH = '/api/v2/valetudo/version';

export interface ValetudoInfo {
  /** 401 → basic auth is on. */
  authRequired: boolean;
  release?: string;
  commit?: string;
}

export interface ValetudoProbeOptions {
  ip: string;
  port?: number;
  connector?: TcpConnector;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function probeValetudo(options: ValetudoProbeOptions): Promise<ProbeResult<ValetudoInfo>> {
  const res = await httpGet({
    connector: options.connector ?? createTcpConnector(),
    host: options.ip,
    port: options.port ?? 80,
    path: VALETUDO_VERSION_PATH,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
    maxBodyBytes: 8 * 1024,
    signal: options.signal,
  });
  if (!res.ok) return res;
  if (res.value.status === 401) return ok({ authRequired: true });
  if (res.value.status !== 200) return fail('MIIO_ERR_PROBE_NOT_FOUND', `${options.ip} answered ${res.value.status}: not Valetudo`);
  const obj = parseJsonObject(res.value.body);
  if (!obj || typeof obj['release'] !== 'string') return fail('MIIO_ERR_PROBE_BAD_REPLY', `${options.ip} version reply is not Valetudo's`);
  const info: ValetudoInfo = { authRequired: false, release: cleanText(obj['release'], 64) };
  if (typeof obj['commit'] === 'string') info.commit = cleanText(obj['commit'], 64);
  return ok(info);
}
