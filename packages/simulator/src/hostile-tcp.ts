import { type Server, type Socket, createServer } from 'node:net';
import { SimError } from './errors.js';
import { HOSTILE_DEFAULTS, streamChunk, streamHead } from './hostile.js';
import type { HostileTcpListener } from './profile.js';

/**
 * TCP listeners of the hostile simulator. Its own small adapter (the honest one, tcp.ts, has a
 * write-on-event session model and a 15 s idle timeout by design; these need timers, backpressure
 * and no timeout at all): a banner trickled one byte per second forever, an HTTP body of 100 MiB.
 */

/** Connections held at once per listener; more are dropped (the simulator must not be the one to fall over). */
const MAX_CONNECTIONS = 64;
const STREAM_CHUNK = 64 * 1024;

export interface HostileTcpOptions {
  address: string;
  listener: HostileTcpListener;
  onConnection(from: string, kind: string, detail: Record<string, unknown>): void;
  onError?(err: Error): void;
}

export function listenHostileTcp(opts: HostileTcpOptions): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const l = opts.listener;
  const server: Server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const from = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.on('error', () => socket.destroy());
    socket.on('data', () => undefined); // requests are read and ignored
    if (l.behaviour === 'trickle') {
      const banner = Buffer.from(l.banner ?? HOSTILE_DEFAULTS.trickleBanner, 'latin1');
      let i = 0;
      const send = () => {
        if (socket.destroyed) return;
        socket.write(banner.subarray(i % banner.length, (i % banner.length) + 1));
        i++;
      };
      send();
      const t = setInterval(send, 1000);
      timers.add(t);
      socket.on('close', () => {
        clearInterval(t);
        timers.delete(t);
        sockets.delete(socket);
        opts.onConnection(from, 'trickle', { bytesSent: i });
      });
      return;
    }
    const total = l.bytes ?? HOSTILE_DEFAULTS.streamBytes;
    let sent = 0;
    let index = 0;
    socket.on('close', () => {
      sockets.delete(socket);
      opts.onConnection(from, 'stream', { bytesSent: sent, of: total });
    });
    const pump = () => {
      while (!socket.destroyed && sent < total) {
        const n = Math.min(STREAM_CHUNK, total - sent);
        sent += n;
        // Backpressure: stop when the kernel buffer is full, go on at 'drain' (bounded memory here too).
        if (!socket.write(streamChunk(index++, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!socket.destroyed) socket.end();
    };
    socket.write(streamHead(total));
    pump();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new SimError('SIM_ERR_BIND', `cannot listen on TCP ${opts.address}:${l.port}: ${err.message}`, { cause: err })));
    server.listen({ port: l.port, host: opts.address, exclusive: true }, () => {
      server.on('error', (err) => opts.onError?.(err));
      resolve({
        close: () =>
          new Promise((res) => {
            for (const t of timers) clearInterval(t);
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
