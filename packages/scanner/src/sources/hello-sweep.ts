import { encodeHello } from '@xmscan/miio-probe/codec';
import { openUdp, type RemoteInfo, type UdpEndpoint } from '../adapters/udp.js';
import { untilAborted, type DiscoverySource, type SourceContext } from '../discovery/source.js';
import { emptySighting } from '../discovery/sighting.js';
import { interpretHelloDatagram } from './hello-reply.js';
import { errnoOf } from '../discovery/net-faults.js';

export const MIIO_PORT = 54321;
/** ≤ 2 passes × 64 small datagrams stay well under a default 208 KiB send buffer. */
const HOSTS_PER_SOCKET = 64;

export interface SweepOptions {
  /** Pause between the first pass and the retry of silent hosts. */
  retryDelayMs?: number;
  /** How long to keep listening after the last send before the sweep counts as done. */
  graceMs?: number;
}

/**
 * Unicast hello to every sweep host (protocols.md §1.1: "unicasting it to one IP acts as a per-host
 * probe"), paced by the global rate cap, then once more to the hosts that stayed silent. Finds
 * devices that ignore broadcast and works across interfaces the broadcast cannot reach.
 */
export function helloSweepSource(opts: SweepOptions = {}): DiscoverySource {
  return {
    name: 'hello-sweep',
    async run(ctx: SourceContext) {
      if (ctx.sweepHosts.length === 0) return;
      const { clock, signal, logger } = ctx;
      const retryDelay = opts.retryDelayMs ?? Math.min(300, Math.round(ctx.windowMs / 5));
      const grace = opts.graceMs ?? Math.min(250, Math.round(ctx.windowMs / 6));
      // A pool of sockets, each sending to at most HOSTS_PER_SOCKET hosts: a datagram to a host that
      // does not answer ARP sits in the kernel (charged to its socket's send buffer) until ARP gives
      // up ~3 s later, so one socket sweeping a /24 fills its buffer and stalls every later send.
      const sockets: UdpEndpoint[] = [];
      const count = Math.ceil(ctx.sweepHosts.length / HOSTS_PER_SOCKET);
      const answered = new Set<string>();
      const targets = new Set(ctx.sweepHosts);
      const onMessage = (msg: Buffer, rinfo: RemoteInfo) => {
        if (signal.aborted) return;
        // Replies come from the device's 54321; anything else is not a hello reply.
        if (rinfo.port !== MIIO_PORT) {
          logger.warn({ from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, source: 'hello-sweep' }, 'junk datagram ignored');
          return;
        }
        const outcome = interpretHelloDatagram(msg, rinfo.address, 'hello-sweep', clock.now());
        if (outcome.kind === 'echo') return;
        answered.add(rinfo.address);
        if (outcome.kind === 'junk') {
          logger.warn(
            { from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, code: outcome.code, source: 'hello-sweep' },
            'junk hello reply ignored',
          );
          // Still something alive on 54321: keep the host as a did-less sighting when we asked it.
          if (targets.has(rinfo.address)) ctx.emit({ ...emptySighting('hello-sweep', clock.now()), ip: rinfo.address });
          return;
        }
        ctx.emit(outcome.sighting);
      };
      for (let i = 0; i < count; i++) {
        try {
          const sock = await openUdp({
            onError: (err) => logger.debug({ err: err.message, source: 'hello-sweep' }, 'socket error'),
          });
          sock.onMessage(onMessage);
          sockets.push(sock);
        } catch (err) {
          logger.error({ err: (err as Error).message, source: 'hello-sweep' }, 'cannot open a sweep socket');
          break;
        }
      }
      if (sockets.length === 0) return;
      void untilAborted(signal).then(() => Promise.all(sockets.map((s) => s.close())));
      const socketFor = new Map<string, UdpEndpoint>();
      ctx.sweepHosts.forEach((ip, k) => socketFor.set(ip, sockets[Math.floor(k / HOSTS_PER_SOCKET) % sockets.length]!));
      const hello = encodeHello();
      const pass = async (hosts: readonly string[], until = Infinity) => {
        for (const ip of hosts) {
          if (clock.now() >= until) return;
          if (!(await ctx.limiter.acquire(signal))) return;
          try {
            await socketFor.get(ip)!.send(hello, MIIO_PORT, ip);
          } catch (err) {
            logger.debug({ ip, err: (err as Error).message, source: 'hello-sweep' }, 'send failed');
            ctx.sendFailed?.({ source: 'hello-sweep', code: errnoOf(err), dest: ip });
          }
        }
      };
      const t0 = clock.now();
      await pass(ctx.sweepHosts);
      logger.debug({ ms: clock.now() - t0, hosts: ctx.sweepHosts.length, source: 'hello-sweep' }, 'first pass sent');
      // The retry pass lives inside the discovery window: on a home /24 (or the default /22 cap) it fits
      // easily, while a sweep whose first pass alone outlasts the window (a /16 at 2000 pps takes 33 s)
      // would double its duration for packet loss a LAN rarely has (issue 7: /16 in <= 40 s). A longer
      // --timeout buys the retry back.
      if (clock.now() + retryDelay < ctx.windowEnd) {
        await clock.sleep(retryDelay, signal);
        await pass(ctx.sweepHosts.filter((ip) => !answered.has(ip)), ctx.windowEnd);
        logger.debug({ ms: clock.now() - t0, source: 'hello-sweep' }, 'retry pass sent');
      } else logger.debug({ ms: clock.now() - t0, source: 'hello-sweep' }, 'no retry pass: the first pass outlasted the window');
      await clock.sleep(grace, signal);
    },
  };
}
