/**
 * The only `node:net` import in miio-probe: a TcpConnector for the probes (design.md "edges").
 * Connect has a hard deadline; reads are pull-based with their own deadline; the socket is paused
 * while our buffer is full so a peer streaming megabytes costs at most `highWaterMark` bytes here.
 */
import net from 'node:net';
import { ProbeError } from '../probes/errors.js';
import type { TcpChunk, TcpConnectOptions, TcpConnection, TcpConnector, TcpReadOptions } from '../probes/types.js';

export interface TcpConnectorOptions {
  /** Bytes buffered before the socket is paused. Default 64 KiB. */
  highWaterMark?: number;
  /** Local address to bind (e.g. a lab interface address). */
  localAddress?: string;
}

export function createTcpConnector(options: TcpConnectorOptions = {}): TcpConnector {
  const highWaterMark = Math.max(1024, options.highWaterMark ?? 64 * 1024);
  return {
    connect: (connectOptions) => connectTcp(connectOptions, highWaterMark, options.localAddress),
  };
}

function connectTcp(options: TcpConnectOptions, highWaterMark: number, localAddress: string | undefined): Promise<TcpConnection> {
  const { host, port, timeoutMs, signal } = options;
  return new Promise<TcpConnection>((resolve, reject) => {
    const where = `${host}:${port}`;
    if (signal?.aborted) {
      reject(new ProbeError('MIIO_ERR_ABORTED', `connect to ${where} aborted`));
      return;
    }
    const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    let settled = false;
    const finish = (err: ProbeError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(new NetConnection(socket, highWaterMark, host, port));
      }
    };
    const onConnect = (): void => finish(null);
    const onError = (err: NodeJS.ErrnoException): void => finish(mapSocketError(err, where));
    const onAbort = (): void => finish(new ProbeError('MIIO_ERR_ABORTED', `connect to ${where} aborted`));
    const timer = setTimeout(
      () => finish(new ProbeError('MIIO_ERR_TCP_TIMEOUT', `no answer from ${where} within ${timeoutMs} ms`)),
      Math.max(1, timeoutMs),
    );
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function mapSocketError(err: NodeJS.ErrnoException, where: string): ProbeError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ProbeError('MIIO_ERR_TCP_REFUSED', `${where} refused the connection`);
    case 'ETIMEDOUT':
      return new ProbeError('MIIO_ERR_TCP_TIMEOUT', `${where} timed out`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new ProbeError('MIIO_ERR_TCP_UNREACHABLE', `${where} is unreachable (${err.code})`);
    case 'ECONNRESET':
      return new ProbeError('MIIO_ERR_TCP_RESET', `${where} reset the connection`);
    default:
      return new ProbeError('MIIO_ERR_TCP', `socket error on ${where} (${err.code ?? 'unknown'})`);
  }
}

class NetConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #socket: net.Socket;
  readonly #highWaterMark: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #eof = false;
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(socket: net.Socket, highWaterMark: number, host: string, port: number) {
    this.#socket = socket;
    this.#highWaterMark = highWaterMark;
    this.remoteAddress = host;
    this.remotePort = port;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered >= this.#highWaterMark) socket.pause();
      this.#notify();
    });
    const ended = (): void => {
      this.#eof = true;
      this.#notify();
    };
    socket.on('end', ended);
    socket.on('close', ended);
    // After connect, errors only end the stream: a probe reports what it read so far.
    socket.on('error', ended);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  write(data: Uint8Array | string): void {
    if (this.#closed || this.#eof || this.#socket.destroyed) return;
    this.#socket.write(data);
  }

  #take(maxBytes: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const n = Math.max(0, Math.min(maxBytes, all.length));
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    if (this.#buffered < this.#highWaterMark && !this.#closed && this.#socket.isPaused()) this.#socket.resume();
    return out;
  }

  read(options: TcpReadOptions): Promise<TcpChunk> {
    const { maxBytes, timeoutMs, signal } = options;
    const result = (timedOut: boolean, aborted: boolean): TcpChunk => ({
      data: this.#take(maxBytes),
      eof: this.#eof && this.#buffered === 0,
      timedOut,
      aborted,
    });
    if (this.#buffered > 0 || this.#eof || this.#closed) return Promise.resolve(result(false, false));
    if (signal?.aborted) return Promise.resolve(result(false, true));
    if (timeoutMs <= 0) return Promise.resolve(result(true, false));
    return new Promise<TcpChunk>((resolve) => {
      const done = (timedOut: boolean, aborted: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#wake = null;
        resolve(result(timedOut, aborted));
      };
      const onAbort = (): void => done(false, true);
      const timer = setTimeout(() => done(true, false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => done(false, false);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#eof = true;
    this.#socket.destroy();
    this.#notify();
  }
}
