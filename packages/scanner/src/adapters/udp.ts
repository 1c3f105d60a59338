/**
 * The UDP edge: the only file of the scanner that imports node:dgram (style.md §7). Sources get
 * small endpoints with promise-based send/close and an error hook, so a socket error is logged,
 * never an unhandled 'error' event.
 */
import dgram from 'node:dgram';
import { ScanError } from '../errors.js';

export interface RemoteInfo {
  address: string;
  port: number;
  size: number;
}

export interface UdpEndpoint {
  send(data: Buffer, port: number, address: string): Promise<void>;
  onMessage(listener: (msg: Buffer, rinfo: RemoteInfo) => void): void;
  /** The bound local address and port. */
  local(): { address: string; port: number };
  close(): Promise<void>;
}

export interface UdpOpenOptions {
  /** Local address to bind; default 0.0.0.0. Binding a NIC's address pins where broadcasts leave. */
  bindAddress?: string;
  port?: number;
  reuseAddr?: boolean;
  broadcast?: boolean;
  /** IP_MULTICAST_IF: which interface (by its IPv4 address) multicast leaves from. */
  multicastInterface?: string;
  multicastTtl?: number;
  /** Multicast groups to join after binding, optionally on one interface. */
  memberships?: Array<{ group: string; interfaceAddress?: string }>;
  /** Called for socket errors after bind (e.g. ICMP-driven ECONNREFUSED); the socket stays usable. */
  onError?: (err: Error) => void;
  /** Kernel receive buffer; a sweep reply burst can exceed the default. */
  recvBufferSize?: number;
}

export async function openUdp(opts: UdpOpenOptions = {}): Promise<UdpEndpoint> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr ?? false });
  let closed = false;
  await new Promise<void>((resolve, reject) => {
    const onBindError = (err: Error) => reject(new ScanError('SCAN_ERR_SOCKET', `cannot bind UDP ${opts.bindAddress ?? '0.0.0.0'}:${opts.port ?? 0}: ${err.message}`, { cause: err }));
    socket.once('error', onBindError);
    socket.bind({ address: opts.bindAddress ?? '0.0.0.0', port: opts.port ?? 0, exclusive: !opts.reuseAddr }, () => {
      socket.removeListener('error', onBindError);
      resolve();
    });
  });
  socket.on('error', (err) => opts.onError?.(err));
  const setup: Array<() => void> = [];
  if (opts.broadcast) setup.push(() => socket.setBroadcast(true));
  if (opts.multicastTtl !== undefined) setup.push(() => socket.setMulticastTTL(opts.multicastTtl!));
  if (opts.multicastInterface !== undefined) setup.push(() => socket.setMulticastInterface(opts.multicastInterface!));
  if (opts.recvBufferSize !== undefined) setup.push(() => socket.setRecvBufferSize(opts.recvBufferSize!));
  for (const m of opts.memberships ?? []) setup.push(() => socket.addMembership(m.group, m.interfaceAddress));
  for (const step of setup) {
    try {
      step();
    } catch (err) {
      // A missing multicast route or a busy buffer limit degrades this socket; it is not fatal.
      opts.onError?.(err as Error);
    }
  }
  return {
    send(data, port, address) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new ScanError('SCAN_ERR_SOCKET', 'socket closed'));
        socket.send(data, port, address, (err) => (err ? reject(err) : resolve()));
      });
    },
    onMessage(listener) {
      socket.on('message', listener);
    },
    local() {
      const a = socket.address();
      return { address: a.address, port: a.port };
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}

/**
 * An unbound udp4 socket with SO_REUSEADDR for multicast-dns (bonjour-service), which binds it to
 * 5353 itself. We keep a handle so the lenient mDNS decoder listens on the very same socket.
 */
export function createSharedMdnsSocket(): dgram.Socket {
  return dgram.createSocket({ type: 'udp4', reuseAddr: true });
}
