import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { SimError } from './errors.js';
import { LUMI_DISCOVERY_PORT, LUMI_GROUP, LUMI_HEARTBEAT_INTERVAL_MS, LUMI_PORT, buildHeartbeat, handleDiscovery, handleUnicast } from './lumi.js';
import { type Manifest, manifestDevice, tcpPortsOf } from './manifest.js';
import { startBonjourResponder } from './mdns-bonjour.js';
import { buildDeviceMdns } from './mdns-records.js';
import { startRawResponder } from './mdns-raw.js';
import type { MdnsResponder } from './mdns-responder.js';
import { MiioResponder } from './miio-device.js';
import { loadProfiles } from './load-profiles.js';
import { type DeviceProfile, type ProfileSet, type TcpListenerProfile, assignLoopbackAddresses, isIPv4, validateProfileSet } from './profile.js';
import { type RequestRecord, RequestLog } from './request-log.js';
import { startHostile } from './hostile-runtime.js';
import { listenTcp } from './tcp.js';
import { createSession } from './tcp-sessions.js';
import { openUdp } from './udp.js';
import { YEELIGHT_GROUP, YEELIGHT_SEARCH_PORT, buildNotify, buildSearchResponse, handleControlLine, isYeelightSearch } from './yeelight.js';

/** Bulbs re-advertise periodically (§5.1); the spec's interval is not known, once a minute is modest. */
const YEELIGHT_NOTIFY_INTERVAL_MS = 60_000;

export const MIIO_PORT = 54321;

export interface StartOptions {
  /** A validated set, or a built-in name (`demo`, `lab`) / path to a JSON file. */
  profiles: ProfileSet | string;
  /** Device names to run (default: all). */
  only?: string[];
  /** Address of the single selected device (lab mode). */
  address?: string;
  /** Interface name (lab namespaces). Without it every address must be loopback. */
  interface?: string;
  logFile?: string;
  /** Loopback mode: run the multicast responders (mDNS, Yeelight search, Lumi whois) on lo. Default true. */
  loopbackMulticast?: boolean;
  /** Millisecond clock (tests). */
  now?: () => number;
  /** Non-fatal runtime errors (socket errors, handler bugs). Default: ignored. */
  onError?: (err: Error, device: string) => void;
}

export interface RunningSimulator {
  manifest: Manifest;
  /** Live list: grows as requests arrive. */
  requests: RequestRecord[];
  onRequest(fn: (r: RequestRecord) => void): void;
  stop(): Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

function isLoopback(a: string): boolean {
  return a.startsWith('127.');
}

/**
 * IPv4 addresses of an interface, or a SIM_ERR_INTERFACE. libuv lists only interfaces that are up
 * and running, and a fresh veth may not be yet, so an interface that exists in /sys/class/net with
 * no listed address yields [] (the bind then proves the address).
 */
function interfaceAddresses(name: string): string[] {
  const list = networkInterfaces()[name];
  if (list) return list.filter((i) => i.family === 'IPv4').map((i) => i.address);
  if (/^[\w.-]{1,15}$/.test(name) && existsSync(`/sys/class/net/${name}`)) return [];
  throw new SimError('SIM_ERR_INTERFACE', `no interface named ${name}`);
}

interface Placement {
  profile: DeviceProfile;
  address: string;
}

/**
 * Decide where each selected device lives, enforcing the network-safety rule: without an
 * interface, nothing binds outside 127.0.0.0/8 (SIM_ERR_UNSAFE).
 */
export function planPlacements(set: ProfileSet, opts: Pick<StartOptions, 'only' | 'address' | 'interface'>): Placement[] {
  const names = new Set(set.devices.map((d) => d.name));
  for (const n of opts.only ?? []) if (!names.has(n)) throw new SimError('SIM_ERR_UNKNOWN_DEVICE', `no device named "${n}" in ${set.source ?? 'the profile set'}`);
  const selected = opts.only && opts.only.length > 0 ? set.devices.filter((d) => opts.only!.includes(d.name)) : set.devices;
  if (opts.address !== undefined) {
    if (!isIPv4(opts.address)) throw new SimError('SIM_ERR_ARGS', `--address ${opts.address} is not an IPv4 address`);
    if (selected.length !== 1) throw new SimError('SIM_ERR_ARGS', `--address needs exactly one device (use --only), got ${selected.length}`);
  }
  const auto = assignLoopbackAddresses(set);
  let ifaceAddrs: string[] | null = null;
  if (opts.interface !== undefined) ifaceAddrs = interfaceAddresses(opts.interface);
  return selected.map((profile) => {
    let address = opts.address ?? auto.get(profile.name)!;
    if (ifaceAddrs !== null && opts.address === undefined && selected.length === 1 && isLoopback(address) && ifaceAddrs[0]) {
      // Lab namespace without --address: the device is the interface's own address.
      address = ifaceAddrs[0];
    }
    if (ifaceAddrs === null && !isLoopback(address)) {
      throw new SimError('SIM_ERR_UNSAFE', `device ${profile.name} would bind ${address}: only 127.0.0.0/8 is allowed without --interface`);
    }
    if (ifaceAddrs !== null && ifaceAddrs.length > 0 && !isLoopback(address) && !ifaceAddrs.includes(address)) {
      throw new SimError('SIM_ERR_INTERFACE', `address ${address} of ${profile.name} is not on interface ${opts.interface}`);
    }
    return { profile, address };
  });
}

/**
 * Start the simulated devices. Resolves once every socket listens.
 *
 * @example
 *   const sim = await startSimulator({ profiles: 'demo', only: ['plug'] });
 *   sim.manifest.devices[0].address; // '127.0.0.x'
 *   await sim.stop();
 */
export async function startSimulator(opts: StartOptions): Promise<RunningSimulator> {
  const set = typeof opts.profiles === 'string' ? loadProfiles(opts.profiles) : validateProfileSet(opts.profiles, opts.profiles.source);
  const placements = planPlacements(set, opts);
  const loopbackMode = opts.interface === undefined;
  const multicast = loopbackMode ? opts.loopbackMulticast !== false : true;
  const now = opts.now ?? Date.now;
  const log = new RequestLog(opts.logFile, now);
  const closables: Closable[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const onError = opts.onError ?? (() => undefined);

  try {
    for (const { profile, address } of placements) {
      const dev = profile.name;
      const err = (e: Error) => onError(e, dev);
      const record = (proto: RequestRecord['proto'], from: string, kind: string, readOnly: boolean, detail: Record<string, unknown>) =>
        log.add({ device: dev, proto, from, kind, readOnly, detail });

      if (profile.miio) {
        const responder = new MiioResponder(profile, address, now);
        let main: Awaited<ReturnType<typeof openUdp>> | null = null;
        const onMiio = (msg: Buffer, from: { address: string; port: number }, via: string) => {
          const out = responder.handle(msg);
          record('miio', `${from.address}:${from.port}`, out.kind, out.readOnly, via === 'unicast' ? out.detail : { ...out.detail, via });
          if (!out.reply || !main) return;
          const reply = out.reply;
          const sock = main;
          // Replies always leave from the device's own address (the unicast socket), never the wildcard one.
          if (out.delayMs > 0) {
            const t = setTimeout(() => {
              timers.delete(t);
              void sock.send(reply, from.port, from.address);
            }, out.delayMs);
            timers.add(t);
          } else void sock.send(reply, from.port, from.address);
        };
        main = await openUdp({ address, port: MIIO_PORT, reuseAddr: true, onError: err, onMessage: (m, f) => onMiio(m, f, 'unicast') });
        closables.push(main);
        if (profile.miio.ignoreBroadcast !== true) {
          // A socket bound to the unicast address never sees broadcasts (contract). In loopback mode the
          // broadcast address of 127/8 stands in for 0.0.0.0, so nothing binds outside loopback.
          const wildcard = loopbackMode ? '127.255.255.255' : '0.0.0.0';
          closables.push(await openUdp({ address: wildcard, port: MIIO_PORT, reuseAddr: true, onError: err, onMessage: (m, f) => onMiio(m, f, 'broadcast') }));
        }
      }

      const listeners: TcpListenerProfile[] = [...(profile.tcp ?? [])];
      if (profile.router && !listeners.some((l) => l.service === 'http')) listeners.push({ port: 80, service: 'http', server: 'nginx', title: 'Xiaomi Router' });
      for (const l of listeners) {
        closables.push(
          await listenTcp({
            address,
            port: l.port,
            onError: err,
            session: () => createSession(l, profile, address),
            onRecords: (records, from) => {
              for (const r of records) record(r.proto, from, r.kind, r.readOnly, r.detail);
            },
          }),
        );
      }

      const y = profile.yeelight;
      if (y?.lanControl) {
        closables.push(
          await listenTcp({
            address,
            port: 55443,
            onError: err,
            session: () => {
              let buf = '';
              return {
                open: () => ({ writes: [], close: false, records: [] }),
                onData(chunk) {
                  buf += chunk.toString('utf8');
                  if (buf.length > 16 * 1024) return { writes: [], close: true, records: [] };
                  const writes: Buffer[] = [];
                  const records: { proto: 'tcp'; kind: string; readOnly: boolean; detail: Record<string, unknown> }[] = [];
                  let nl: number;
                  while ((nl = buf.indexOf('\n')) !== -1) {
                    const line = buf.slice(0, nl).replace(/\r$/, '');
                    buf = buf.slice(nl + 1);
                    if (line.trim() === '') continue;
                    const out = handleControlLine(y, line);
                    writes.push(Buffer.from(out.reply + '\r\n'));
                    records.push({ proto: 'tcp', kind: out.kind, readOnly: out.readOnly, detail: out.detail });
                  }
                  return { writes, close: false, records };
                },
              };
            },
            onRecords: (records, from) => {
              for (const r of records) record('yeelight', from, r.kind, r.readOnly, r.detail);
            },
          }),
        );
      }
      if (y && multicast) {
        const reply = await openUdp({ address, port: YEELIGHT_SEARCH_PORT, reuseAddr: true, multicastInterface: address, onError: err, onMessage: () => undefined });
        closables.push(reply);
        const notify = () => void reply.send(buildNotify(profile, y, address), YEELIGHT_SEARCH_PORT, YEELIGHT_GROUP);
        notify();
        const t = setInterval(notify, YEELIGHT_NOTIFY_INTERVAL_MS);
        t.unref();
        timers.add(t);
        closables.push(
          await openUdp({
            address: YEELIGHT_GROUP,
            port: YEELIGHT_SEARCH_PORT,
            reuseAddr: true,
            memberships: [{ group: YEELIGHT_GROUP, iface: address }],
            multicastInterface: address,
            onError: err,
            onMessage(msg, from) {
              if (!isYeelightSearch(msg)) return; // NOTIFYs from other bulbs, junk
              record('yeelight', `${from.address}:${from.port}`, 'M-SEARCH', true, {});
              void reply.send(buildSearchResponse(profile, y, address), from.port, from.address);
            },
          }),
        );
      }

      const g = profile.lumiGateway;
      if (g) {
        const unicast = await openUdp({
          address,
          port: LUMI_PORT,
          reuseAddr: true,
          ...(multicast ? { multicastInterface: address } : {}),
          onError: err,
          onMessage(msg, from) {
            const out = handleUnicast(profile, g, address, msg);
            record('lumi', `${from.address}:${from.port}`, out.kind, out.readOnly, out.detail);
            if (out.reply) void unicast.send(out.reply, from.port, from.address);
          },
        });
        closables.push(unicast);
        if (multicast) {
          const beat = () => void unicast.send(buildHeartbeat(profile, g, address), LUMI_PORT, LUMI_GROUP);
          beat();
          const t = setInterval(beat, LUMI_HEARTBEAT_INTERVAL_MS);
          t.unref();
          timers.add(t);
          closables.push(
            await openUdp({
              address: LUMI_GROUP,
              port: LUMI_DISCOVERY_PORT,
              reuseAddr: true,
              memberships: [{ group: LUMI_GROUP, iface: address }],
              multicastInterface: address,
              onError: err,
              onMessage(msg, from) {
                const out = handleDiscovery(profile, g, address, msg);
                record('lumi', `${from.address}:${from.port}`, out.kind, out.readOnly, out.detail);
                // `iam` goes back unicast from the gateway's own address (§5.3).
                if (out.reply) void unicast.send(out.reply, from.port, from.address);
              },
            }),
          );
        }
      }

      if (multicast && profile.mdns && profile.mdns.length > 0) {
        const device = buildDeviceMdns(profile, address);
        const malformed = device.services.some((s) => s.rawTxt !== null);
        const responder: MdnsResponder = await (malformed ? startRawResponder : startBonjourResponder)({
          device,
          interfaceAddress: address,
          onError: err,
          onQuery: (questions, from) => record('mdns', from, 'query', true, { questions: questions.map((q) => ({ name: q.name, type: q.type })) }),
        });
        closables.push(responder);
      }

      // Hostile behaviours (issue 8): hostile-runtime.ts; a no-op for honest profiles.
      if (profile.hostile) closables.push(...(await startHostile({ profile, address, loopbackMode, multicast, record, onError: err, now })));
    }
  } catch (e) {
    await closeAll(closables, timers);
    log.close();
    throw e;
  }

  const manifest: Manifest = {
    generatedAt: new Date(now()).toISOString(),
    mode: loopbackMode ? 'loopback' : opts.interface!,
    multicast,
    devices: placements.map(({ profile, address }) => manifestDevice(profile, address)),
  };
  let stopped: Promise<void> | null = null;
  return {
    manifest,
    requests: log.records,
    onRequest: (fn) => log.onRecord(fn),
    stop() {
      stopped ??= closeAll(closables, timers).then(() => log.close());
      return stopped;
    },
  };
}

async function closeAll(closables: Closable[], timers: Set<NodeJS.Timeout>): Promise<void> {
  for (const t of timers) clearTimeout(t); // clearTimeout also clears intervals
  timers.clear();
  // mDNS goodbyes go out before sockets close; every close is bounded by the adapters.
  await Promise.allSettled(closables.reverse().map((c) => c.close()));
}

export { tcpPortsOf };
