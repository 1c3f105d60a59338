import { MiioCodecError } from './errors.js';

/** A miIO request as sent inside the encrypted payload (protocols.md §1.7). */
export interface MiioRequest {
  id: number;
  method: string;
  params: unknown[] | Record<string, unknown>;
}

export type MiioResponse =
  | { kind: 'result'; id: number; result: unknown; raw: Record<string, unknown> }
  | { kind: 'error'; id: number; error: { code: number; message: string }; raw: Record<string, unknown> };

/** Device error codes python-miio retries (RECOVERABLE_ERRORS, §1.7). */
export const RECOVERABLE_DEVICE_ERRORS: ReadonlySet<number> = new Set([-30001, -9999]);

/** Request ids: 9998 was observed to reset a Philips bulb (python-miio #210), so it is never used. */
export function nextRequestId(previous: number): number {
  let id = previous + 1;
  if (id > 9999 || id < 1) id = 1;
  if (id === 9998) id = 9999;
  return id;
}

export function buildRequest(id: number, method: string, params: MiioRequest['params'] = []): MiioRequest {
  if (!Number.isInteger(id) || id < 1 || id === 9998) throw new RangeError(`invalid request id ${id}`);
  return { id, method, params };
}

/** Interpret a decoded payload value as a response envelope. */
export function parseResponse(value: unknown): MiioResponse {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'response is not a JSON object');
  }
  const raw = value as Record<string, unknown>;
  const id = raw['id'];
  if (typeof id !== 'number' || !Number.isFinite(id)) {
    throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'response has no numeric id');
  }
  const err = raw['error'];
  if (err !== undefined && err !== null) {
    const e = typeof err === 'object' ? (err as Record<string, unknown>) : {};
    const code = typeof e['code'] === 'number' ? e['code'] : 0;
    const message = typeof e['message'] === 'string' ? e['message'] : typeof err === 'string' ? err : 'device error';
    return { kind: 'error', id, error: { code, message }, raw };
  }
  if (!('result' in raw)) throw new MiioCodecError('MIIO_ERR_PAYLOAD', 'response has neither result nor error');
  return { kind: 'result', id, result: raw['result'], raw };
}
