import { encodeHello } from '@xmscan/miio-probe/codec';
import { openUdp, type UdpEndpoint } from '../adapters/udp.js';
import { untilAborted, type DiscoverySource, type SourceContext } from '../discovery/source.js';
import { cidrRange, formatIpv4, parseIpv4 } from '../targets/ipv4.js';
import { interpretHelloDatagram } from './hello-reply.js';
import { MIIO_PORT } from './hello-sweep.js';
import { errnoOf } from '../discovery/net-faults.js';

/** Re-send points as fractions of the window (python-miio sends 3 times, §1.1; UDP gets lost). */
export const BROADCAST_RESEND_AT: readonly number[] = [0, 0.2, 0.5];

/**
 * miIO hello broadcast from every selected non-loopback interface: one socket bound to that
 * interface's address, so the broadcast leaves through that NIC (peers.md §2 #2: Node otherwise
 * picks one NIC "with an unknown logic"), to the directed broadcast and to 255.255.255.255.
 */
export function helloBroadcastSource(deps: { openUdp?: typeof openUdp } = {}): DiscoverySource {
  // Injection seam (tests): a socket whose sends fail like the kernel's (EACCES, ENETUNREACH).
  const open = deps.openUdp ?? openUdp;
  return {
    name: 'hello-broadcast',
    async run(ctx: SourceContext) {
      const { clock, signal, logger } = ctx;
      const ifaces = ctx.interfaces.filter((i) => !i.internal && i.prefix < 31);
      const sockets: Array<{ sock: UdpEndpoint; dests: string[]; name: string }> = [];
      for (const iface of ifaces) {
        try {
          const sock = await open({
            bindAddress: iface.address,
            broadcast: true,
            onError: (err) => logger.debug({ err: err.message, source: 'hello-broadcast', iface: iface.name }, 'socket error'),
          });
          const directed = formatIpv4(cidrRange(parseIpv4(iface.address)!, iface.prefix).last);
          sockets.push({ sock, dests: [directed, '255.255.255.255'], name: iface.name });
          sock.onMessage((msg, rinfo) => {
            if (signal.aborted) return;
            const outcome = interpretHelloDatagram(msg, rinfo.address, 'hello-broadcast', clock.now());
            if (outcome.kind === 'junk') {
              logger.warn({ from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, code: outcome.code, source: 'hello-broadcast' }, 'junk hello reply ignored');
            } else if (outcome.kind === 'device') {
              outcome.sighting.interface = iface.name;
              ctx.emit(outcome.sighting);
            }
          });
        } catch (err) {
          logger.warn({ err: (err as Error).message, iface: iface.name, source: 'hello-broadcast' }, 'cannot open broadcast socket');
        }
      }
      if (sockets.length === 0) return;
      void untilAborted(signal).then(() => Promise.all(sockets.map((s) => s.sock.close())));
      const start = clock.now();
      for (const frac of BROADCAST_RESEND_AT) {
        const wait = start + frac * ctx.windowMs - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        if (signal.aborted) return;
        for (const { sock, dests, name } of sockets) {
          for (const dest of dests) {
            if (!(await ctx.limiter.acquire(signal))) return;
            await sock.send(encodeHello(), MIIO_PORT, dest).catch((err: Error) => {
              logger.debug({ dest, iface: name, err: err.message, source: 'hello-broadcast' }, 'broadcast send failed');
              ctx.sendFailed?.({ source: 'hello-broadcast', code: errnoOf(err), dest, iface: name });
            });
          }
        }
      }
    },
  };
}
