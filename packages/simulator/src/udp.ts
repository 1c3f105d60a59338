import { type RemoteInfo, type Socket, createSocket } from 'node:dgram';
import { SimError } from './errors.js';

/** The only file of the simulator that imports node:dgram (style.md §7.6). */

export interface UdpPeer {
  address: string;
  port: number;
}

export interface UdpEndpoint {
  readonly local: UdpPeer;
  send(data: Uint8Array, port: number, address: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenUdpOptions {
  address: string;
  port: number;
  /** SO_REUSEADDR: several simulated devices share the group / broadcast addresses. */
  reuseAddr?: boolean;
  /** Multicast groups to join, each on the interface that owns `iface` (an IPv4 address). */
  memberships?: { group: string; iface: string }[];
  /** IP_MULTICAST_IF: the address multicast leaves from, which also becomes its source address. */
  multicastInterface?: string;
  multicastTtl?: number;
  onMessage(msg: Buffer, from: UdpPeer): void;
  /** Socket errors after bind (never fatal: the device keeps serving). */
  onError?(err: Error): void;
}

/** Bind a UDP socket; bind failures reject with SIM_ERR_BIND naming the address. */
export function openUdp(opts: OpenUdpOptions): Promise<UdpEndpoint> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr ?? false });
    let bound = false;
    socket.on('error', (err) => {
      if (!bound) {
        socket.close();
        reject(new SimError('SIM_ERR_BIND', `cannot bind UDP ${opts.address}:${opts.port}: ${err.message}`, { cause: err }));
      } else opts.onError?.(err);
    });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      try {
        opts.onMessage(msg, { address: rinfo.address, port: rinfo.port });
      } catch (err) {
        // A handler bug must not kill the device; surface it as a socket error.
        opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.bind(opts.port, opts.address, () => {
      try {
        for (const m of opts.memberships ?? []) socket.addMembership(m.group, m.iface);
        if (opts.multicastInterface !== undefined) socket.setMulticastInterface(opts.multicastInterface);
        if (opts.memberships?.length || opts.multicastInterface !== undefined) {
          socket.setMulticastTTL(opts.multicastTtl ?? 1);
          socket.setMulticastLoopback(true);
        }
      } catch (err) {
        socket.close();
        reject(new SimError('SIM_ERR_BIND', `cannot join multicast on ${opts.address}:${opts.port}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      bound = true;
      const a = socket.address();
      let closed = false;
      resolve({
        local: { address: a.address, port: a.port },
        send: (data, port, address) =>
          new Promise((res) => {
            if (closed) return res();
            socket.send(data, port, address, (err) => {
              if (err) opts.onError?.(err);
              res();
            });
          }),
        close: () =>
          new Promise((res) => {
            if (closed) return res();
            closed = true;
            try {
              socket.close(() => res());
            } catch {
              res();
            }
          }),
      });
    });
  });
}
