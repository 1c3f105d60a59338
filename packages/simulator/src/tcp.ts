import { type Server, type Socket, createServer } from 'node:net';
import { SimError } from './errors.js';
import type { SessionLogEntry, TcpSession } from './tcp-sessions.js';

/** The only file of the simulator that imports node:net (style.md §7.6). */

/** Idle connections are dropped: every wait has a deadline, including a scanner that never speaks. */
const IDLE_TIMEOUT_MS = 15_000;

export interface TcpListener {
  readonly port: number;
  close(): Promise<void>;
}

export interface ListenTcpOptions {
  address: string;
  port: number;
  session(): TcpSession;
  onRecords(records: SessionLogEntry[], from: string): void;
  onError?(err: Error): void;
}

export function listenTcp(opts: ListenTcpOptions): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const from = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    const session = opts.session();
    const apply = (step: ReturnType<TcpSession['open']>) => {
      if (step.records.length > 0) opts.onRecords(step.records, from);
      for (const w of step.writes) if (!socket.destroyed) socket.write(w);
      if (step.close && !socket.destroyed) socket.end();
    };
    try {
      apply(session.open());
      socket.on('data', (chunk: Buffer) => {
        try {
          apply(session.onData(chunk));
        } catch (err) {
          opts.onError?.(err instanceof Error ? err : new Error(String(err)));
          socket.destroy();
        }
      });
    } catch (err) {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      socket.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new SimError('SIM_ERR_BIND', `cannot listen on TCP ${opts.address}:${opts.port}: ${err.message}`, { cause: err })));
    server.listen({ port: opts.port, host: opts.address, exclusive: true }, () => {
      server.on('error', (err) => opts.onError?.(err));
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a !== null ? a.port : opts.port,
        close: () =>
          new Promise((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
