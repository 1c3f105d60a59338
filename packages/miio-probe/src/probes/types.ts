/**
 * Ports (in the hexagonal sense) that the probes talk through. Types only: the real adapters live
 * in `transport/tcp.ts` (node:net) and the datagram adapter; tests swap in fakes (design.md "edges").
 */

/** How a read on a TCP connection ended when it returned no more data. */
export interface TcpChunk {
  /** Bytes consumed from the connection's buffer (at most `maxBytes`); may be empty. */
  data: Buffer;
  /** The peer closed its side (FIN) or the socket errored; no more data will come. */
  eof: boolean;
  /** `timeoutMs` elapsed with nothing buffered. */
  timedOut: boolean;
  /** The signal fired. */
  aborted: boolean;
}

export interface TcpReadOptions {
  /** Upper bound on bytes returned by this call. */
  maxBytes: number;
  /** Wait at most this long for the first byte. 0 = return what is buffered now. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** An established connection. All methods are safe to call after the peer has gone. */
export interface TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Queue bytes for sending. Errors surface on the next read as `eof`. */
  write(data: Uint8Array | string): void;
  /**
   * Resolve as soon as at least one byte is buffered (returning up to `maxBytes` of it), or the peer
   * ended, or `timeoutMs` passed, or the signal fired. Never rejects. The adapter stops reading from
   * the kernel while its own buffer is full, so a peer that floods costs bounded memory.
   */
  read(options: TcpReadOptions): Promise<TcpChunk>;
  /** Destroy the socket now (no lingering half-close). Idempotent. */
  close(): void;
}

export interface TcpConnectOptions {
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Opens TCP connections. Rejects only with a `ProbeError` whose code is one of
 * MIIO_ERR_TCP_REFUSED / _TIMEOUT / _UNREACHABLE / _TCP / MIIO_ERR_ABORTED.
 */
export interface TcpConnector {
  connect(options: TcpConnectOptions): Promise<TcpConnection>;
}
