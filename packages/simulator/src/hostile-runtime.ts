import { Token, encodePacket, isHelloRequest } from '@xmscan/miio-probe/codec';
import {
  deepInfoReply,
  floodHelloReply,
  hostileSettings,
  jumboDatagram,
  leakingHelloReply,
  mdnsFloodPackets,
  randomReply,
  requestOf,
} from './hostile.js';
import { listenHostileTcp } from './hostile-tcp.js';
import { MDNS_GROUP, MDNS_PORT, decodeMdnsQuery } from './mdns-records.js';
import type { DeviceProfile } from './profile.js';
import type { RequestRecord } from './request-log.js';
import { type UdpEndpoint, type UdpPeer, openUdp } from './udp.js';

/**
 * Runs a profile's `hostile` behaviours (issue 8) next to (or instead of) its honest services.
 * Safety: every burst goes back to the peer that asked, and only when that peer is on loopback or on
 * the device's own /24 (the lab LAN); mDNS goes to the group on the device's own interface.
 */

const MIIO_PORT = 54321;
/** A burst of mDNS announcements at most this often (queries come from every browser on the LAN). */
const MDNS_BURST_INTERVAL_MS = 250;
const FLOOD_TICK_MS = 5;

export interface Closable {
  close(): Promise<void>;
}

export interface HostileStartOptions {
  profile: DeviceProfile;
  address: string;
  loopbackMode: boolean;
  multicast: boolean;
  record(proto: RequestRecord['proto'], from: string, kind: string, readOnly: boolean, detail: Record<string, unknown>): void;
  onError(err: Error): void;
  now?: () => number;
}

/** Loopback, or the same /24 as the device: the only places a hostile burst may go. */
export function mayTarget(device: string, peer: string): boolean {
  if (peer.startsWith('127.')) return true;
  return device.split('.').slice(0, 3).join('.') === peer.split('.').slice(0, 3).join('.');
}

export async function startHostile(o: HostileStartOptions): Promise<Closable[]> {
  const h = o.profile.hostile;
  if (!h) return [];
  const p = o.profile;
  const now = o.now ?? Date.now;
  const started = now();
  const stamp = () => 1000 + Math.floor((now() - started) / 1000);
  const s = hostileSettings(h);
  const closables: Closable[] = [];
  const timers = new Set<NodeJS.Timeout>();
  closables.push({
    close: async () => {
      for (const t of timers) clearInterval(t);
      timers.clear();
    },
  });

  try {
    if (h.miio) {
      const behaviour = h.miio;
      const token = Token.fromHex(p.token);
      let main: UdpEndpoint | null = null;
      let alias: UdpEndpoint | null = null;
      let aliasOpening: Promise<UdpEndpoint | null> | null = null;
      let flooding = false;

      const openAlias = (): Promise<UdpEndpoint | null> => {
        if (alias) return Promise.resolve(alias);
        aliasOpening ??= openUdp({ address: h.otherSource!, port: MIIO_PORT, reuseAddr: true, onError: o.onError, onMessage: () => undefined }).then(
          (u) => {
            alias = u;
            closables.push(u);
            return u;
          },
          (err: Error) => {
            // The address is not (yet) on the interface: say so, try again on the next hello.
            o.onError(err);
            aliasOpening = null;
            return null;
          },
        );
        return aliasOpening;
      };

      const flood = (sock: UdpEndpoint, to: UdpPeer) => {
        if (flooding) return;
        flooding = true;
        const reply = floodHelloReply(p, stamp());
        const t0 = now();
        let sent = 0;
        const t = setInterval(() => {
          const elapsed = now() - t0;
          const due = Math.min(Math.floor((s.floodPerSecond * Math.min(elapsed, s.floodSeconds * 1000)) / 1000), s.floodPerSecond * s.floodSeconds);
          // Catch up on the schedule, but never more than a tenth of a second's worth per tick.
          const n = Math.min(due - sent, Math.ceil(s.floodPerSecond / 10));
          for (let i = 0; i < n; i++) void sock.send(reply, to.port, to.address);
          sent += Math.max(0, n);
          if (elapsed >= s.floodSeconds * 1000 && sent >= due) {
            clearInterval(t);
            timers.delete(t);
            flooding = false;
            o.record('miio', `${to.address}:${to.port}`, 'hostile-flood', true, { sent, ms: Math.round(now() - t0) });
          }
        }, FLOOD_TICK_MS);
        timers.add(t);
      };

      const onMiio = (msg: Buffer, from: UdpPeer) => {
        const peer = `${from.address}:${from.port}`;
        const sock = main;
        if (!sock || !mayTarget(o.address, from.address)) return;
        if (isHelloRequest(msg)) {
          o.record('miio', peer, 'hello', true, { hostile: behaviour });
          switch (behaviour) {
            case 'flood':
              return flood(sock, from);
            case 'jumbo':
              return void sock.send(jumboDatagram(p), from.port, from.address);
            case 'random':
              return void sock.send(randomReply(), from.port, from.address);
            case 'other-source':
              return void openAlias().then((a) => a?.send(floodHelloReply(p, stamp()), from.port, from.address));
            case 'deep-info':
              return void sock.send(leakingHelloReply(p, stamp()), from.port, from.address);
          }
        }
        if (behaviour !== 'deep-info') return;
        const req = requestOf(token, msg);
        if (!req) return;
        if (req.method === 'miIO.info') {
          const { packet, levels } = deepInfoReply(p, stamp(), req.id, s.deepLevels);
          o.record('miio', peer, 'miIO.info', true, { hostile: 'deep-info', levels, bytes: packet.length });
          void sock.send(packet, from.port, from.address);
        } else {
          o.record('miio', peer, req.method, /^get_|^miIO\.info$/.test(req.method), { hostile: 'deep-info' });
          const payload = Buffer.from(JSON.stringify({ id: req.id, error: { code: -9999, message: 'user ack timeout' } }));
          void sock.send(encodePacket(token, { deviceId: p.did, stamp: stamp(), payload }), from.port, from.address);
        }
      };
      main = await openUdp({ address: o.address, port: MIIO_PORT, reuseAddr: true, onError: o.onError, onMessage: onMiio });
      closables.push(main);
      const wildcard = o.loopbackMode ? '127.255.255.255' : '0.0.0.0';
      closables.push(await openUdp({ address: wildcard, port: MIIO_PORT, reuseAddr: true, onError: o.onError, onMessage: onMiio }));
    }

    for (const l of h.tcp ?? []) {
      closables.push(
        await listenHostileTcp({
          address: o.address,
          listener: l,
          onError: o.onError,
          onConnection: (from, kind, detail) => o.record('tcp', from, `hostile-${kind}`, true, { port: l.port, ...detail }),
        }),
      );
    }

    if (s.mdnsRecords > 0 && o.multicast) {
      const packets = mdnsFloodPackets(p, o.address, s.mdnsRecords);
      let last = 0;
      let udp: UdpEndpoint | null = null;
      // Paced (4 packets every 2 ms) so the records arrive rather than overflow a receive buffer at once.
      const burst = () => {
        if (!udp || now() - last < MDNS_BURST_INTERVAL_MS) return;
        last = now();
        const sock = udp;
        let i = 0;
        const step = () => {
          for (let k = 0; k < 4 && i < packets.length; k++, i++) void sock.send(packets[i]!, MDNS_PORT, MDNS_GROUP);
          if (i < packets.length) later(step, 2);
        };
        step();
      };
      const later = (fn: () => void, ms: number) => {
        const t = setTimeout(() => {
          timers.delete(t);
          fn();
        }, ms);
        timers.add(t);
      };
      udp = await openUdp({
        address: MDNS_GROUP,
        port: MDNS_PORT,
        reuseAddr: true,
        memberships: [{ group: MDNS_GROUP, iface: o.address }],
        multicastInterface: o.address,
        multicastTtl: 255,
        onError: o.onError,
        onMessage(msg, from) {
          try {
            decodeMdnsQuery(msg);
          } catch {
            return; // responses (ours looped back included) and junk
          }
          if (now() - last < MDNS_BURST_INTERVAL_MS) return;
          o.record('mdns', `${from.address}:${from.port}`, 'hostile-mdns-burst', true, { packets: packets.length, records: s.mdnsRecords });
          burst();
          // Answer again a little later, like responders that repeat (and past a querier's first drop).
          later(() => {
            last = 0;
            burst();
          }, 600);
        },
      });
      closables.push(udp);
      burst();
    }
  } catch (err) {
    await Promise.allSettled(closables.map((c) => c.close()));
    throw err;
  }
  return closables;
}
