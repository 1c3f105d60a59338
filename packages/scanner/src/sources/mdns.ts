/**
 * mDNS / DNS-SD (protocols.md §4): bonjour-service browses the watched types; our lenient decoder
 * reads the packets the library drops. This is the one file that imports bonjour-service.
 *
 * Design: we create the udp4 socket ourselves (reuseAddr) and hand it to bonjour-service, which
 * passes it to multicast-dns (its `socket` option); multicast-dns binds it to 5353 and joins
 * 224.0.0.251. We add a second 'message' listener on that same socket: for each response we ask
 * dns-packet (the library's own decoder) whether it decodes; only if it throws, i.e. multicast-dns
 * silently dropped the whole reply (a TXT without its length byte, §4.1), do we decode it with
 * `decodeLenient`. One socket, no duplicate work on good packets, no race for unicast replies.
 */
import Bonjour from 'bonjour-service';
import dnsPacket from 'dns-packet';
import { createSharedMdnsSocket } from '../adapters/udp.js';
import { untilAborted, type DiscoverySource, type SourceContext } from '../discovery/source.js';
import { decodeLenient } from '../mdns/dns-message.js';
import { parseTxtStrings } from '../mdns/names.js';
import { MDNS_SERVICE_TYPES, servicesFromMessage, type MdnsService } from '../mdns/services.js';
import { sightingFromService } from '../mdns/sighting.js';
import { isIpv4 } from '../targets/ipv4.js';

/** Re-query points as fractions of the window (a lost multicast query costs the whole browse). */
export const MDNS_REQUERY_AT: readonly number[] = [0.35];

type BonjourService = Bonjour.Service & { rawTxt?: Buffer[] };

export function fromBonjourService(svc: BonjourService, type: string): MdnsService {
  const rawTxt = Array.isArray(svc.rawTxt) ? svc.rawTxt.filter((b): b is Buffer => Buffer.isBuffer(b)) : [];
  return {
    type,
    fqdn: svc.fqdn,
    name: svc.name,
    host: svc.host ?? null,
    port: typeof svc.port === 'number' ? svc.port : null,
    txt: parseTxtStrings(rawTxt),
    rawTxt,
    txtMalformed: false,
    addresses: (svc.addresses ?? []).filter(isIpv4),
  };
}

export function mdnsSource(): DiscoverySource {
  return {
    name: 'mdns',
    async run(ctx: SourceContext) {
      const { clock, signal, logger } = ctx;
      const ifaceAddrs: Array<string | undefined> = ctx.interfaces.length > 0 ? ctx.interfaces.map((i) => i.address) : [undefined];
      const instances: Array<{ bonjour: Bonjour; browsers: Bonjour.Browser[] }> = [];
      for (const addr of ifaceAddrs) {
        const socket = createSharedMdnsSocket();
        const opts = {
          socket,
          reuseAddr: true,
          // multicast-dns given only `interface` binds to it and receives no replies (toolchain.md).
          bind: '0.0.0.0',
          ...(addr !== undefined ? { interface: addr } : {}),
        };
        let bonjour: Bonjour;
        try {
          bonjour = new Bonjour(opts as unknown as ConstructorParameters<typeof Bonjour>[0], (err: Error) =>
            logger.warn({ err: err.message, iface: addr, source: 'mdns' }, 'mDNS socket error'),
          );
        } catch (err) {
          logger.warn({ err: (err as Error).message, iface: addr, source: 'mdns' }, 'cannot start mDNS');
          continue;
        }
        socket.on('message', (msg: Buffer, rinfo: { address: string }) => {
          if (signal.aborted || msg.length < 12 || (msg[2]! & 0x80) === 0) return; // queries are not ours
          try {
            dnsPacket.decode(msg);
            return; // the library decoded it: bonjour-service handles it
          } catch {
            /* dropped by multicast-dns: ours */
          }
          const decoded = decodeLenient(msg);
          const services = servicesFromMessage(decoded);
          if (services.length === 0) {
            if (decoded.problems.length > 0) {
              logger.warn({ from: rinfo.address, bytes: msg.length, problems: decoded.problems.slice(0, 3), source: 'mdns-lenient' }, 'junk mDNS datagram ignored');
            }
            return;
          }
          logger.debug({ from: rinfo.address, services: services.length, source: 'mdns-lenient' }, 'decoded a reply the mDNS library rejected');
          for (const svc of services) ctx.emit(sightingFromService(svc, 'mdns-lenient', clock.now(), rinfo.address));
        });
        const browsers: Bonjour.Browser[] = [];
        for (const full of MDNS_SERVICE_TYPES) {
          const [, name, proto] = /^_(.+)\._(tcp|udp)$/.exec(full) ?? [];
          if (name === undefined || proto === undefined) continue;
          browsers.push(
            bonjour.find({ type: name, protocol: proto as 'tcp' | 'udp' }, (svc) => {
              if (signal.aborted) return;
              try {
                const s = fromBonjourService(svc as BonjourService, full);
                ctx.emit(sightingFromService(s, 'mdns', clock.now(), svc.referer?.address ?? null));
              } catch (err) {
                logger.warn({ ip: svc.referer?.address ?? null, err: (err as Error).message, source: 'mdns' }, 'unusable mDNS service ignored');
              }
            }),
          );
        }
        instances.push({ bonjour, browsers });
      }
      if (instances.length === 0) return;
      void untilAborted(signal).then(() => {
        for (const { bonjour, browsers } of instances) {
          for (const b of browsers) b.stop();
          try {
            bonjour.destroy();
          } catch {
            /* already closed */
          }
        }
      });
      const start = clock.now();
      for (const frac of MDNS_REQUERY_AT) {
        const wait = start + frac * ctx.windowMs - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        if (signal.aborted) return;
        for (const { browsers } of instances) for (const b of browsers) b.update();
      }
    },
  };
}
