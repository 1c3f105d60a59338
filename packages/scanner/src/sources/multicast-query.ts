import { openUdp, type RemoteInfo, type UdpEndpoint } from '../adapters/udp.js';
import { untilAborted, type SourceContext } from '../discovery/source.js';
import { errnoOf } from '../discovery/net-faults.js';

/**
 * Shared shape of the Yeelight and Lumi sources: one socket per selected interface with
 * IP_MULTICAST_IF pinned to it (so the query never leaves through another NIC), the query sent at
 * the given window fractions, replies handled until the run ends.
 */
export async function runMulticastQuery(
  ctx: SourceContext,
  spec: {
    source: string;
    group: string;
    port: number;
    payload: Buffer;
    resendAt: readonly number[];
    onReply(msg: Buffer, rinfo: RemoteInfo): void;
  },
): Promise<void> {
  const { clock, signal, logger } = ctx;
  const ifaceAddrs: Array<string | undefined> = ctx.interfaces.length > 0 ? ctx.interfaces.map((i) => i.address) : [undefined];
  const sockets: UdpEndpoint[] = [];
  for (const addr of ifaceAddrs) {
    try {
      const sock = await openUdp({
        ...(addr !== undefined ? { multicastInterface: addr } : {}),
        multicastTtl: 4,
        onError: (err) => logger.debug({ err: err.message, source: spec.source }, 'socket error'),
      });
      sock.onMessage((msg, rinfo) => {
        if (!signal.aborted) spec.onReply(msg, rinfo);
      });
      sockets.push(sock);
    } catch (err) {
      logger.warn({ err: (err as Error).message, iface: addr, source: spec.source }, 'cannot open multicast socket');
    }
  }
  if (sockets.length === 0) return;
  void untilAborted(signal).then(() => Promise.all(sockets.map((s) => s.close())));
  const start = clock.now();
  for (const frac of spec.resendAt) {
    const wait = start + frac * ctx.windowMs - clock.now();
    if (wait > 0) await clock.sleep(wait, signal);
    for (const sock of sockets) {
      if (!(await ctx.limiter.acquire(signal))) return;
      await sock.send(spec.payload, spec.port, spec.group).catch((err: Error) => {
        logger.debug({ err: err.message, source: spec.source }, 'multicast send failed (no route?)');
        ctx.sendFailed?.({ source: spec.source, code: errnoOf(err), dest: spec.group });
      });
    }
  }
}
