/**
 * A miIO client for one device: hello handshake, then encrypted JSON calls (protocols.md §1).
 * One request in flight at a time, every wait bounded, every failure a typed error. I/O goes through
 * an injectable `UdpTransport`; the codec stays pure.
 */
import { MiioCodecError } from './codec/errors.js';
import { HEADER_LENGTH, decodeHeader } from './codec/header.js';
import { type HelloReply, decodeHelloReply, encodeHello } from './codec/hello.js';
import { nextRequestId, parseResponse, buildRequest, type MiioRequest } from './codec/message.js';
import { decodePacket, encodePacket } from './codec/packet.js';
import { decodePayload, encodePayload } from './codec/payload.js';
import type { Token } from './codec/token.js';
import {
  MiioAbortedError,
  MiioBadReplyError,
  MiioClosedError,
  MiioDeviceError,
  MiioNoTokenError,
  MiioTimeoutError,
  MiioTokenRejectedError,
  MiioTransportError,
  type MiioPhase,
} from './errors.js';
import { createUdpTransport, type UdpRemoteInfo, type UdpTransport } from './transport/udp.js';

export const MIIO_PORT = 54321;
/** Per-attempt wait and extra attempts: 2 × 300 ms keeps a silent device or wrong token under 1 s. */
export const DEFAULT_TIMEOUT_MS = 300;
export const DEFAULT_RETRIES = 1;
/** node-miio re-handshakes after 120 s without a message, so the stamp never drifts far (§1.8). */
export const HANDSHAKE_MAX_AGE_MS = 120_000;

export interface MiioClientOptions {
  /** Device IPv4/IPv6 address (not a host name: replies are matched on it). */
  address: string;
  port?: number;
  token?: Token;
  /** Shared or fake transport; by default the client opens (and later closes) its own UDP socket. */
  transport?: UdpTransport;
  /** Wait per attempt, ms. */
  timeoutMs?: number;
  /** Extra attempts after the first (each call retry uses id + 100, §1.9). */
  retries?: number;
  /** Clock in ms (default Date.now); used for receive times and the stamp offset. */
  now?: () => number;
  /** Random source in [0, 1) for the first request id (default Math.random). */
  random?: () => number;
  /** Aborts every request of this client. */
  signal?: AbortSignal;
}

export interface MiioRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

/** A hello reply plus when we got it: `stamp` + seconds since `receivedAt` is the device clock now (§1.8). */
export interface MiioHandshake extends HelloReply {
  /** Local receive time (client clock, ms). */
  receivedAt: number;
  /** Time from the last hello sent to this reply, ms. */
  rttMs: number;
}

export interface MiioCallResult<T = unknown> {
  id: number;
  result: T;
  /** The whole envelope, e.g. `exe_time` or Roborock's `partner_id`. Device data: may hold a token. */
  raw: Record<string, unknown>;
  /** Device stamp of the reply header. */
  stamp: number;
}

export interface MiioClientStats {
  sent: number;
  /** Datagrams from the device's address and port. */
  received: number;
  /** Undecodable or request-shaped datagrams from the device, ignored. */
  junk: number;
  /** Valid replies that matched no request in flight (old ids, late duplicates), dropped. */
  stale: number;
  /** Datagrams from other peers on a shared transport, ignored. */
  foreign: number;
  /** Socket errors reported by the transport outside a send. */
  transportErrors: number;
}

export interface MiioClient {
  readonly address: string;
  readonly port: number;
  readonly token: Token | null;
  readonly lastHandshake: MiioHandshake | null;
  /** Send hello, await the 32-byte reply. Read-only: the same bytes discovery sends (§1.3). */
  handshake(options?: MiioRequestOptions): Promise<MiioHandshake>;
  /** One encrypted request; handshakes first when needed. Resolves with `result`. */
  call<T = unknown>(method: string, params?: MiioRequest['params'], options?: MiioRequestOptions): Promise<T>;
  /** Like `call`, with the reply envelope. */
  request<T = unknown>(method: string, params?: MiioRequest['params'], options?: MiioRequestOptions): Promise<MiioCallResult<T>>;
  stats(): MiioClientStats;
  close(): Promise<void>;
}

type Verdict<T> =
  | { kind: 'junk' }
  | { kind: 'stale' }
  | { kind: 'bare' }
  | { kind: 'done'; value: T }
  | { kind: 'fail'; error: Error };

type Outcome<T> = { kind: 'done'; value: T } | { kind: 'fail'; error: Error } | { kind: 'timeout' };

/** Retry id: +100 as python-miio and node-miio do (§1.9), wrapped into 1..9999, never 9998. */
export function retryRequestId(id: number): number {
  let n = id + 100;
  if (n > 9999) n -= 9999;
  if (n < 1 || n > 9999) n = 1;
  return n === 9998 ? 9999 : n;
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) from a dual-stack socket is the same peer. */
function samePeer(a: string, b: string): boolean {
  const strip = (s: string) => (s.startsWith('::ffff:') ? s.slice(7) : s).toLowerCase();
  return strip(a) === strip(b);
}

/**
 * @example
 *   const client = createMiioClient({ address: '192.0.2.10', token: Token.fromHex(hex) });
 *   const hello = await client.handshake();
 *   const info = await client.call('miIO.info');
 *   await client.close();
 */
export function createMiioClient(options: MiioClientOptions): MiioClient {
  const address = options.address;
  const port = options.port ?? MIIO_PORT;
  let token: Token | null = options.token ?? null;
  const ownsTransport = options.transport === undefined;
  const transport = options.transport ?? createUdpTransport();
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const defaults = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: options.retries ?? DEFAULT_RETRIES };
  if (!Number.isFinite(defaults.timeoutMs) || defaults.timeoutMs <= 0) throw new RangeError('timeoutMs must be > 0');
  if (!Number.isInteger(defaults.retries) || defaults.retries < 0) throw new RangeError('retries must be an integer >= 0');

  const stats: MiioClientStats = { sent: 0, received: 0, junk: 0, stale: 0, foreign: 0, transportErrors: 0 };
  // Random start in 1..9000 (§1.9): a fresh client does not replay ids a device may still remember.
  let lastId = Math.min(8999, Math.floor(random() * 9000));
  let lastHandshake: MiioHandshake | null = null;
  // Device clock reference: last verified stamp and when we received it (§1.8).
  let clockRef: { stamp: number; at: number } | null = null;
  let lastMessageAt = -Infinity;
  /** Hellos of the last handshake not answered yet (a slow device answers each, late). */
  let outstandingHellos = 0;
  let closed = false;
  let started: Promise<void> | null = null;
  let unsubscribe: Array<() => void> = [];
  /** Handler of the request in flight; null when idle. */
  let current: ((msg: Buffer) => void) | null = null;
  let abortCurrent: ((err: Error) => void) | null = null;
  let tail: Promise<void> = Promise.resolve();

  function onMessage(msg: Buffer, rinfo: UdpRemoteInfo): void {
    if (rinfo.port !== port || !samePeer(rinfo.address, address)) {
      stats.foreign++;
      return;
    }
    stats.received++;
    if (current) current(msg);
    else stats.stale++;
  }

  function start(): Promise<void> {
    started ??= (async () => {
      unsubscribe.push(transport.onMessage(onMessage));
      unsubscribe.push(transport.onError(() => void stats.transportErrors++));
      try {
        await transport.bind();
      } catch (cause) {
        throw new MiioTransportError('cannot bind the UDP socket', { cause });
      }
    })();
    return started;
  }

  function signals(extra?: AbortSignal): AbortSignal[] {
    return [options.signal, extra].filter((s): s is AbortSignal => s !== undefined);
  }

  function checkOpen(sigs: AbortSignal[]): void {
    if (closed) throw new MiioClosedError();
    for (const s of sigs) if (s.aborted) throw new MiioAbortedError({ cause: s.reason });
  }

  /** Run `fn` once every earlier request has settled: one request in flight per client (§1.9). */
  async function exclusive<T>(sigs: AbortSignal[], fn: () => Promise<T>): Promise<T> {
    checkOpen(sigs);
    const prev = tail;
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    tail = prev.then(() => done);
    try {
      await waitOrAbort(prev, sigs);
      checkOpen(sigs);
      await start();
      return await fn();
    } finally {
      release();
    }
  }

  function waitOrAbort(p: Promise<void>, sigs: AbortSignal[]): Promise<void> {
    if (sigs.length === 0) return p;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (ev: Event) => {
        cleanup();
        reject(new MiioAbortedError({ cause: (ev.target as AbortSignal).reason }));
      };
      const cleanup = () => sigs.forEach((s) => s.removeEventListener('abort', onAbort));
      sigs.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
      p.then(() => {
        cleanup();
        resolve();
      });
    });
  }

  /**
   * Send, wait up to `timeoutMs` for a verdict, resend on silence. Junk and stale datagrams are
   * counted and skipped: a hostile or chatty peer cannot end the wait early or crash us.
   */
  async function exchange<T>(spec: {
    phase: MiioPhase;
    method?: string;
    sigs: AbortSignal[];
    timeoutMs: number;
    attempts: number;
    build: (attempt: number) => Buffer;
    classify: (msg: Buffer) => Verdict<T>;
  }): Promise<T> {
    const begin = now();
    let bareSeen = false;
    for (let attempt = 0; attempt < spec.attempts; attempt++) {
      checkOpen(spec.sigs);
      const datagram = spec.build(attempt);
      const outcome = await new Promise<Outcome<T>>((resolve) => {
        let settled = false;
        const finish = (o: Outcome<T>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          spec.sigs.forEach((s) => s.removeEventListener('abort', onAbort));
          current = null;
          abortCurrent = null;
          resolve(o);
        };
        const onAbort = (ev: Event) =>
          finish({ kind: 'fail', error: new MiioAbortedError({ cause: (ev.target as AbortSignal).reason }) });
        const timer = setTimeout(() => finish({ kind: 'timeout' }), spec.timeoutMs);
        spec.sigs.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
        abortCurrent = (error) => finish({ kind: 'fail', error });
        current = (msg) => {
          let v: Verdict<T>;
          try {
            v = spec.classify(msg);
          } catch {
            v = { kind: 'junk' }; // classify is defensive; this is the last line against a crash
          }
          switch (v.kind) {
            case 'junk':
              stats.junk++;
              return;
            case 'stale':
              stats.stale++;
              return;
            case 'bare':
              // Keep waiting: a late or duplicated hello reply (§1.1) must not pass for a rejection while
              // the real answer is still coming. Silence after it ⇒ token rejected (§1.10 case 2).
              bareSeen = true;
              return;
            default:
              finish(v);
          }
        };
        stats.sent++;
        transport.send(datagram, port, address).catch((cause: unknown) => {
          finish({ kind: 'fail', error: new MiioTransportError(`send to ${address}:${port} failed`, { cause }) });
        });
      });
      if (outcome.kind === 'done') return outcome.value;
      if (outcome.kind === 'fail') throw outcome.error;
    }
    // Only now: a slow device's real answer may still arrive during the retry after a bare header.
    if (bareSeen) throw new MiioTokenRejectedError('bare-header');
    throw new MiioTimeoutError({
      phase: spec.phase,
      attempts: spec.attempts,
      elapsedMs: now() - begin,
      helloAnswered: spec.phase === 'call' && lastHandshake !== null,
      ...(spec.method === undefined ? {} : { method: spec.method }),
    });
  }

  function attemptsOf(o?: MiioRequestOptions): { timeoutMs: number; attempts: number } {
    const timeoutMs = o?.timeoutMs ?? defaults.timeoutMs;
    const retries = o?.retries ?? defaults.retries;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be > 0');
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be an integer >= 0');
    return { timeoutMs, attempts: retries + 1 };
  }

  async function doHandshake(sigs: AbortSignal[], o?: MiioRequestOptions): Promise<MiioHandshake> {
    let sentAt = now();
    let hellosSent = 0;
    const reply = await exchange<{ hello: HelloReply; at: number }>({
      phase: 'handshake',
      sigs,
      ...attemptsOf(o),
      build: () => {
        sentAt = now();
        hellosSent++;
        return encodeHello();
      },
      classify: (msg) => {
        if (msg.length !== HEADER_LENGTH) {
          // A late answer to an earlier call is stale; anything else from the device is junk.
          try {
            decodeHeader(msg);
            return { kind: 'stale' };
          } catch {
            return { kind: 'junk' };
          }
        }
        try {
          return { kind: 'done', value: { hello: decodeHelloReply(msg), at: now() } };
        } catch {
          return { kind: 'junk' }; // bad magic / length, or a hello *request* echoed back
        }
      },
    });
    const hs: MiioHandshake = { ...reply.hello, receivedAt: reply.at, rttMs: Math.max(0, reply.at - sentAt) };
    lastHandshake = hs;
    // Replies to our earlier hellos may still be on their way; they are not token rejections.
    outstandingHellos = hellosSent - 1;
    clockRef = { stamp: hs.stamp, at: hs.receivedAt };
    lastMessageAt = hs.receivedAt;
    return hs;
  }

  /** The device clock now: its last stamp plus whole seconds elapsed since we received it (§1.8). */
  function deviceStamp(): number {
    if (!clockRef) return 0;
    return (clockRef.stamp + Math.max(0, Math.floor((now() - clockRef.at) / 1000))) >>> 0;
  }

  async function doRequest<T>(
    method: string,
    params: MiioRequest['params'],
    sigs: AbortSignal[],
    o?: MiioRequestOptions,
  ): Promise<MiioCallResult<T>> {
    const tok = token;
    if (!tok) throw new MiioNoTokenError();
    if (!lastHandshake || now() - lastMessageAt > HANDSHAKE_MAX_AGE_MS) await doHandshake(sigs, o);
    const hs = lastHandshake!;
    const ids = new Set<number>();
    let id = lastId;
    return exchange<MiioCallResult<T>>({
      phase: 'call',
      method,
      sigs,
      ...attemptsOf(o),
      build: (attempt) => {
        id = attempt === 0 ? nextRequestId(lastId) : retryRequestId(id);
        lastId = id;
        ids.add(id);
        const payload = encodePayload(buildRequest(id, method, params));
        return encodePacket(tok, { deviceId: hs.deviceId, stamp: deviceStamp(), payload });
      },
      classify: (msg) => {
        let decoded;
        try {
          decoded = decodePacket(tok, msg);
        } catch (err) {
          if (err instanceof MiioCodecError && err.code === 'MIIO_ERR_CHECKSUM') {
            // Same peer, verifiable framing, wrong MD5: the device does not share our token (§1.6).
            return { kind: 'fail', error: new MiioTokenRejectedError('checksum', { cause: err }) };
          }
          if (err instanceof MiioCodecError && (err.code === 'MIIO_ERR_BAD_CIPHERTEXT' || err.code === 'MIIO_ERR_BAD_PADDING')) {
            return { kind: 'fail', error: new MiioBadReplyError('MIIO_ERR_BAD_REPLY', `reply to ${method} does not decrypt`, { cause: err }) };
          }
          return { kind: 'junk' };
        }
        if (decoded.payload === null) {
          try {
            decodeHelloReply(msg);
          } catch {
            return { kind: 'junk' }; // a hello request echoed back is not an answer
          }
          if (outstandingHellos > 0) {
            outstandingHellos--;
            return { kind: 'stale' };
          }
          return { kind: 'bare' };
        }
        let value: unknown;
        let empty: boolean;
        try {
          ({ value, empty } = decodePayload(decoded.payload));
        } catch (err) {
          return { kind: 'fail', error: new MiioBadReplyError('MIIO_ERR_BAD_REPLY', `reply to ${method} is not JSON`, { cause: err }) };
        }
        const at = now();
        clockRef = { stamp: decoded.header.stamp, at };
        lastMessageAt = at;
        if (empty) {
          // mgl03 without Internet answers miIO.info with an empty payload (§1.7): no id to match.
          return { kind: 'fail', error: new MiioBadReplyError('MIIO_ERR_EMPTY_REPLY', `empty reply to ${method}`) };
        }
        let resp;
        try {
          resp = parseResponse(value);
        } catch (err) {
          return { kind: 'fail', error: new MiioBadReplyError('MIIO_ERR_BAD_REPLY', `reply to ${method} is not a response envelope`, { cause: err }) };
        }
        // Any attempt's id counts (a slow first answer may land during the retry); others are stale (§1.9).
        if (!ids.has(resp.id)) return { kind: 'stale' };
        if (resp.kind === 'error') {
          return { kind: 'fail', error: new MiioDeviceError(method, resp.error.code, resp.error.message) };
        }
        return { kind: 'done', value: { id: resp.id, result: resp.result as T, raw: resp.raw, stamp: decoded.header.stamp } };
      },
    });
  }

  return {
    address,
    port,
    get token() {
      return token;
    },
    get lastHandshake() {
      return lastHandshake;
    },
    handshake(o) {
      const sigs = signals(o?.signal);
      return exclusive(sigs, () => doHandshake(sigs, o));
    },
    async call<T = unknown>(method: string, params: MiioRequest['params'] = [], o?: MiioRequestOptions) {
      const sigs = signals(o?.signal);
      return (await exclusive(sigs, () => doRequest<T>(method, params, sigs, o))).result;
    },
    request<T = unknown>(method: string, params: MiioRequest['params'] = [], o?: MiioRequestOptions) {
      const sigs = signals(o?.signal);
      return exclusive(sigs, () => doRequest<T>(method, params, sigs, o));
    },
    stats() {
      return { ...stats };
    },
    async close() {
      if (closed) return;
      closed = true;
      abortCurrent?.(new MiioClosedError());
      for (const u of unsubscribe) u();
      unsubscribe = [];
      token = null;
      if (ownsTransport) await transport.close();
    },
  };
}
