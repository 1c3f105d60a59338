/**
 * The UDP port of miio-probe and its node:dgram adapter. This is the only file of the package that
 * imports node:dgram (style.md §7.6): clients take a `UdpTransport`, tests may pass their own.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface UdpRemoteInfo {
  address: string;
  port: number;
  family?: string;
  size?: number;
}

export type UdpMessageListener = (msg: Buffer, rinfo: UdpRemoteInfo) => void;
export type UdpErrorListener = (err: Error) => void;

/** A UDP socket, reduced to what the miIO client needs. Several clients may share one. */
export interface UdpTransport {
  /** Bind (idempotent: later calls resolve once the first bind is done). Port 0 = ephemeral. */
  bind(port?: number, address?: string): Promise<void>;
  send(buf: Uint8Array, port: number, host: string): Promise<void>;
  /** Subscribe to datagrams; returns the unsubscribe function. */
  onMessage(listener: UdpMessageListener): () => void;
  /** Socket errors after bind (a send error also rejects that send). */
  onError(listener: UdpErrorListener): () => void;
  /** The bound local address, once bound. */
  address(): UdpRemoteInfo | null;
  close(): Promise<void>;
}

export interface DgramTransportOptions {
  type?: 'udp4' | 'udp6';
  /** Allow sending to broadcast addresses (discovery only; a unicast client leaves it off). */
  broadcast?: boolean;
  /** python-miio reads with recvfrom(4096); replies reach ~1056 bytes (§1.1). Kernel buffer size hint. */
  recvBufferSize?: number;
}

/**
 * The real adapter over node:dgram.
 *
 * @example
 *   const t = createUdpTransport();
 *   await t.bind(0, '127.0.0.1');
 *   t.onMessage((msg, r) => console.log(r.address, msg.length));
 *   await t.send(HELLO_REQUEST, 54321, '127.0.0.1');
 */
export function createUdpTransport(options: DgramTransportOptions = {}): UdpTransport {
  const socket: Socket = createSocket({ type: options.type ?? 'udp4', reuseAddr: false });
  const messageListeners = new Set<UdpMessageListener>();
  const errorListeners = new Set<UdpErrorListener>();
  let bound: Promise<void> | null = null;
  let closed: Promise<void> | null = null;

  socket.on('message', (msg, rinfo) => {
    for (const l of [...messageListeners]) {
      try {
        l(msg, { address: rinfo.address, port: rinfo.port, family: rinfo.family, size: rinfo.size });
      } catch {
        // A listener bug must not stop delivery to the others, nor crash the process from an event.
      }
    }
  });
  // Without an 'error' listener a socket error is an uncaught exception: always keep one.
  socket.on('error', (err) => {
    for (const l of [...errorListeners]) {
      try {
        l(err);
      } catch {
        // see above
      }
    }
  });

  return {
    bind(port = 0, address?: string) {
      bound ??= new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        socket.once('error', onError);
        socket.bind({ port, ...(address === undefined ? {} : { address }) }, () => {
          socket.off('error', onError);
          try {
            if (options.broadcast) socket.setBroadcast(true);
            if (options.recvBufferSize) socket.setRecvBufferSize(options.recvBufferSize);
          } catch (err) {
            reject(err as Error);
            return;
          }
          resolve();
        });
      });
      return bound;
    },
    send(buf, port, host) {
      return new Promise<void>((resolve, reject) => {
        socket.send(buf, port, host, (err) => (err ? reject(err) : resolve()));
      });
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    address() {
      try {
        const a = socket.address();
        return { address: a.address, port: a.port, family: a.family };
      } catch {
        return null; // not bound yet
      }
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        messageListeners.clear();
        try {
          socket.close(() => resolve());
        } catch {
          resolve(); // already closed (ERR_SOCKET_DGRAM_NOT_RUNNING)
        }
      });
      return closed;
    },
  };
}
