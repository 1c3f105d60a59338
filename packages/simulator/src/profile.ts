import { SimError } from './errors.js';

/**
 * Device profiles: the ground truth a simulated device is built from. Shape fixed by the simulator
 * contract (/tmp/xmscan-sim-contract.md); every field cites the protocols.md section it imitates.
 */

export type HiddenAs = 'ff' | '00';

export interface MiioProfile {
  /** Hello reply carries the real token (unprovisioned / pre-2017 firmware, protocols.md §2.2). */
  leakToken?: boolean;
  /** Mask of a hidden token field: `ff` on current firmware, `00` on a Philips lamp (§1.4). */
  hiddenAs?: HiddenAs;
  /** Uptime in seconds at start (MCU devices), or "unix" for NTP-synced Linux devices (§1.8). */
  stampStart?: number | 'unix';
  replyDelayMs?: number;
  /** false: answers hello, never miIO.info (gen-1 Roborock without cloud, §1.10). */
  answersInfo?: boolean;
  /** true: answers only unicast hello (no socket on the wildcard / broadcast address). */
  ignoreBroadcast?: boolean;
  helloReply?: 'normal' | 'truncated' | 'garbage';
  /** What a request with a wrong token gets (§1.10). */
  wrongTokenReply?: 'silence' | 'ff-header';
  /** Roborock answers once per request id within a time window (§1.9). */
  ignoreRepeatedId?: boolean;
  /** Roborock-style envelope: adds partner_id/code/message next to result (§3, RR). */
  envelope?: 'plain' | 'roborock';
  /** Extra or overriding miIO.info result fields (ap, netif, ot, life, uid, ...). */
  info?: Record<string, unknown>;
  /** Values served by get_prop (name -> value) and get_properties ("siid.piid" -> value). */
  props?: Record<string, unknown>;
}

export interface MdnsAdvert {
  /** `_miio._udp`, `_valetudo._tcp`, `_aqara._tcp`, `_hap._tcp`, `_miot-central._tcp`, ... */
  type: string;
  /** Instance name; `_miio._udp` defaults to `<model with . -> ->_miio<did>` (§4.1). */
  name?: string;
  port?: number;
  txt?: Record<string, string>;
  /** Send TXT `epoch=0:mac=<12hex>` without its length byte, like zhimi.airpurifier.m1 (§4.1). */
  malformedTxt?: boolean;
}

export type TcpService = 'ssh' | 'telnet' | 'http' | 'rtsp' | 'mqtt' | 'raw';

export interface TcpListenerProfile {
  port: number;
  service: TcpService;
  /** ssh/telnet/raw: bytes sent on connect. */
  banner?: string;
  /** http/rtsp: Server header. */
  server?: string;
  /** http: <title> of the page. */
  title?: string;
  /** http: status code of GET / (200, 401, ...). */
  status?: number;
  /** rtsp: DESCRIBE answers 401 with a Digest challenge (LIVE555-style cameras, §5.5). */
  auth?: boolean;
  /** mqtt: CONNACK return code (0 accepted, 5 not authorised). */
  connack?: number;
}

export interface YeelightProfile {
  model: string;
  fw_ver: string;
  support?: string;
  /** TCP 55443 open ("LAN Control" on, §5.2). */
  lanControl?: boolean;
  /** Current state served by search replies and get_prop. */
  state?: Record<string, string>;
}

export interface LumiGatewayProfile {
  /** Gateway sid = MAC without colons (§5.3). Defaults from the device MAC. */
  sid?: string;
  model?: string;
  proto_version?: string;
  /** Sub-device sids returned by get_id_list. */
  subDevices?: string[];
}

export interface RouterProfile {
  hardware: string;
  romversion: string;
  /** init_info `id`, the serial number (§5.4). */
  serial: string;
  extra?: Record<string, unknown>;
}

/**
 * Hostile behaviours (issue 8, "Hostile LAN"): a device that attacks the scanner rather than being
 * audited by it. Run by hostile-runtime.ts; never sent anywhere but to the peer that asked (or the
 * mDNS group on the device's own interface).
 */
export type HostileMiioBehaviour =
  /** Every hello gets a burst of hello replies at `floodPerSecond` for `floodSeconds`. */
  | 'flood'
  /** Every hello gets one 65 507-byte datagram (the largest UDP/IPv4 payload). */
  | 'jumbo'
  /** Hello replies leave from `otherSource`, not from the address that was probed. */
  | 'other-source'
  /** Every hello gets 1-1 024 random bytes. */
  | 'random'
  /** Leaks its token in the hello reply, then answers `miIO.info` with a result nested as deep as a datagram allows. */
  | 'deep-info';

export interface HostileTcpListener {
  port: number;
  /** `trickle`: the banner one byte per second, forever. `stream`: an HTTP 200 streaming `bytes` of body. */
  behaviour: 'trickle' | 'stream';
  /** stream: body size (default 100 MiB). */
  bytes?: number;
  /** trickle: the text repeated one byte at a time (default an SSH banner). */
  banner?: string;
}

export interface HostileProfile {
  miio?: HostileMiioBehaviour;
  /** flood: datagrams per second (default 12 000). */
  floodPerSecond?: number;
  /** flood: length of one burst (default 3 s); one burst at a time. */
  floodSeconds?: number;
  /** other-source: the IPv4 address the replies leave from (must exist on the device's interface). */
  otherSource?: string;
  /** deep-info: nesting levels wanted (default 100 000; capped to what fits one datagram). */
  deepLevels?: number;
  tcp?: HostileTcpListener[];
  /** Announce this many mDNS records (PTR/SRV/TXT/A for records/4 fake `_miio._udp` instances). */
  mdnsRecords?: number;
}

export interface DeviceProfile {
  name: string;
  model: string;
  did: number;
  token: string;
  mac: string;
  address?: string;
  /** mDNS host label (without .local); defaults to the miIO instance name or `xiaomi-<mac6>`. */
  hostname?: string;
  fw_ver: string;
  hw_ver: string;
  mcu_fw_ver?: string;
  wifi_fw_ver?: string;
  miio_ver?: string;
  miio?: MiioProfile;
  mdns?: MdnsAdvert[];
  tcp?: TcpListenerProfile[];
  yeelight?: YeelightProfile;
  lumiGateway?: LumiGatewayProfile;
  router?: RouterProfile;
  hostile?: HostileProfile;
}

export interface ProfileSet {
  /** Where it came from (built-in name or file path); informational. */
  source?: string;
  devices: DeviceProfile[];
}

/** One device's profile; kept as an alias because the contract names both. */
export type Profile = DeviceProfile;

const HEX32 = /^[0-9a-fA-F]{32}$/;
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const TCP_SERVICES: readonly string[] = ['ssh', 'telnet', 'http', 'rtsp', 'mqtt', 'raw'];

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}
function isStrMap(v: unknown): v is Record<string, string> {
  return isObj(v) && Object.values(v).every((x) => typeof x === 'string');
}

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/**
 * Validate an untrusted value as a profile set. Collects every problem, then throws one
 * `SIM_ERR_PROFILE` whose `issues` lists them (path: message), so a broken file is fixed in one go.
 */
export function validateProfileSet(value: unknown, source = '<inline>'): ProfileSet {
  const issues: string[] = [];
  const bad = (path: string, msg: string) => issues.push(`${path}: ${msg}`);
  if (!isObj(value) || !Array.isArray(value['devices'])) {
    throw new ProfileError(source, ['devices: must be an array of device profiles']);
  }
  const devices = value['devices'] as unknown[];
  if (devices.length === 0) bad('devices', 'must not be empty');
  const names = new Set<string>();
  const addresses = new Set<string>();
  devices.forEach((d, i) => {
    const p = `devices[${i}]`;
    if (!isObj(d)) return bad(p, 'must be an object');
    const name = d['name'];
    if (typeof name !== 'string' || !NAME.test(name)) bad(`${p}.name`, 'must be a short name of [A-Za-z0-9_.-]');
    else if (names.has(name)) bad(`${p}.name`, `duplicate name "${name}"`);
    else names.add(name);
    for (const k of ['model', 'fw_ver', 'hw_ver'] as const) {
      if (typeof d[k] !== 'string' || (d[k] as string).length === 0) bad(`${p}.${k}`, 'must be a non-empty string');
    }
    for (const k of ['mcu_fw_ver', 'wifi_fw_ver', 'miio_ver', 'hostname'] as const) {
      if (d[k] !== undefined && typeof d[k] !== 'string') bad(`${p}.${k}`, 'must be a string');
    }
    const did = d['did'];
    if (typeof did !== 'number' || !Number.isInteger(did) || did < 0 || did > 0xffffffff) bad(`${p}.did`, 'must be a uint32');
    if (typeof d['token'] !== 'string' || !HEX32.test(d['token'])) bad(`${p}.token`, 'must be 32 hexadecimal characters');
    if (typeof d['mac'] !== 'string' || !MAC.test(d['mac'])) bad(`${p}.mac`, 'must look like AA:BB:CC:DD:EE:FF');
    if (d['address'] !== undefined) {
      const a = d['address'];
      if (typeof a !== 'string' || !IPV4.test(a)) bad(`${p}.address`, 'must be an IPv4 address');
      else if (addresses.has(a)) bad(`${p}.address`, `duplicate address ${a}`);
      else addresses.add(a);
    }
    if (d['miio'] !== undefined) validateMiio(d['miio'], `${p}.miio`, bad);
    if (d['mdns'] !== undefined) {
      if (!Array.isArray(d['mdns'])) bad(`${p}.mdns`, 'must be an array');
      else
        d['mdns'].forEach((m: unknown, j: number) => {
          const q = `${p}.mdns[${j}]`;
          if (!isObj(m)) return bad(q, 'must be an object');
          if (typeof m['type'] !== 'string' || !/^_[a-z0-9-]+\._(tcp|udp)$/.test(m['type'])) bad(`${q}.type`, 'must look like _name._tcp or _name._udp');
          if (m['name'] !== undefined && (typeof m['name'] !== 'string' || m['name'].length === 0 || m['name'].length > 63)) bad(`${q}.name`, 'must be 1-63 characters');
          if (m['port'] !== undefined && !isPort(m['port'])) bad(`${q}.port`, 'must be a TCP/UDP port');
          if (m['txt'] !== undefined && !isStrMap(m['txt'])) bad(`${q}.txt`, 'must map strings to strings');
          if (m['malformedTxt'] !== undefined && typeof m['malformedTxt'] !== 'boolean') bad(`${q}.malformedTxt`, 'must be a boolean');
          if (m['malformedTxt'] === true && m['type'] !== '_miio._udp') bad(`${q}.malformedTxt`, 'only _miio._udp carries the malformed TXT quirk');
        });
    }
    const ports = new Set<number>();
    if (d['tcp'] !== undefined) {
      if (!Array.isArray(d['tcp'])) bad(`${p}.tcp`, 'must be an array');
      else
        d['tcp'].forEach((t: unknown, j: number) => {
          const q = `${p}.tcp[${j}]`;
          if (!isObj(t)) return bad(q, 'must be an object');
          if (!isPort(t['port'])) bad(`${q}.port`, 'must be a TCP port');
          else if (ports.has(t['port'])) bad(`${q}.port`, `duplicate port ${t['port']}`);
          else ports.add(t['port']);
          if (typeof t['service'] !== 'string' || !TCP_SERVICES.includes(t['service'])) bad(`${q}.service`, `must be one of ${TCP_SERVICES.join(', ')}`);
          for (const k of ['banner', 'server', 'title'] as const) if (t[k] !== undefined && typeof t[k] !== 'string') bad(`${q}.${k}`, 'must be a string');
          if (t['status'] !== undefined && !(Number.isInteger(t['status']) && (t['status'] as number) >= 100 && (t['status'] as number) <= 599)) bad(`${q}.status`, 'must be an HTTP status');
          if (t['connack'] !== undefined && !(Number.isInteger(t['connack']) && (t['connack'] as number) >= 0 && (t['connack'] as number) <= 255)) bad(`${q}.connack`, 'must be 0-255');
          if (t['auth'] !== undefined && typeof t['auth'] !== 'boolean') bad(`${q}.auth`, 'must be a boolean');
        });
    }
    const y = d['yeelight'];
    if (y !== undefined) {
      if (!isObj(y)) bad(`${p}.yeelight`, 'must be an object');
      else {
        if (typeof y['model'] !== 'string' || typeof y['fw_ver'] !== 'string') bad(`${p}.yeelight`, 'needs string model and fw_ver');
        if (y['support'] !== undefined && typeof y['support'] !== 'string') bad(`${p}.yeelight.support`, 'must be a string');
        if (y['lanControl'] !== undefined && typeof y['lanControl'] !== 'boolean') bad(`${p}.yeelight.lanControl`, 'must be a boolean');
        if (y['state'] !== undefined && !isStrMap(y['state'])) bad(`${p}.yeelight.state`, 'must map strings to strings');
        if (y['lanControl'] === true && ports.has(55443)) bad(`${p}.tcp`, 'port 55443 is taken by yeelight LAN control');
      }
    }
    const g = d['lumiGateway'];
    if (g !== undefined) {
      if (!isObj(g)) bad(`${p}.lumiGateway`, 'must be an object');
      else {
        for (const k of ['sid', 'model', 'proto_version'] as const) if (g[k] !== undefined && typeof g[k] !== 'string') bad(`${p}.lumiGateway.${k}`, 'must be a string');
        if (g['subDevices'] !== undefined && !(Array.isArray(g['subDevices']) && g['subDevices'].every((s) => typeof s === 'string'))) bad(`${p}.lumiGateway.subDevices`, 'must be an array of strings');
      }
    }
    const r = d['router'];
    if (r !== undefined) {
      if (!isObj(r)) bad(`${p}.router`, 'must be an object');
      else {
        for (const k of ['hardware', 'romversion', 'serial'] as const) if (typeof r[k] !== 'string') bad(`${p}.router.${k}`, 'must be a string');
        if (r['extra'] !== undefined && !isObj(r['extra'])) bad(`${p}.router.extra`, 'must be an object');
        const http = Array.isArray(d['tcp']) ? (d['tcp'] as unknown[]).some((t) => isObj(t) && t['service'] === 'http') : false;
        if (!http && ports.has(80)) bad(`${p}.router`, 'port 80 is taken by a non-HTTP listener');
      }
    }
    if (d['hostile'] !== undefined) validateHostile(d, `${p}.hostile`, ports, bad);
  });
  if (issues.length > 0) throw new ProfileError(source, issues);
  return { source, devices: devices as DeviceProfile[] };
}

function validateMiio(m: unknown, p: string, bad: (path: string, msg: string) => void): void {
  if (!isObj(m)) return bad(p, 'must be an object');
  for (const k of ['leakToken', 'answersInfo', 'ignoreBroadcast', 'ignoreRepeatedId'] as const) {
    if (m[k] !== undefined && typeof m[k] !== 'boolean') bad(`${p}.${k}`, 'must be a boolean');
  }
  if (m['hiddenAs'] !== undefined && m['hiddenAs'] !== 'ff' && m['hiddenAs'] !== '00') bad(`${p}.hiddenAs`, 'must be "ff" or "00"');
  const s = m['stampStart'];
  if (s !== undefined && s !== 'unix' && !(typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 0xffffffff)) bad(`${p}.stampStart`, 'must be a uint32 or "unix"');
  const delay = m['replyDelayMs'];
  if (delay !== undefined && !(typeof delay === 'number' && delay >= 0 && delay <= 60_000)) bad(`${p}.replyDelayMs`, 'must be 0-60000');
  if (m['helloReply'] !== undefined && !['normal', 'truncated', 'garbage'].includes(m['helloReply'] as string)) bad(`${p}.helloReply`, 'must be normal, truncated or garbage');
  if (m['wrongTokenReply'] !== undefined && !['silence', 'ff-header'].includes(m['wrongTokenReply'] as string)) bad(`${p}.wrongTokenReply`, 'must be silence or ff-header');
  if (m['envelope'] !== undefined && !['plain', 'roborock'].includes(m['envelope'] as string)) bad(`${p}.envelope`, 'must be plain or roborock');
  if (m['info'] !== undefined && !isObj(m['info'])) bad(`${p}.info`, 'must be an object');
  if (m['props'] !== undefined && !isObj(m['props'])) bad(`${p}.props`, 'must be an object');
}

const HOSTILE_MIIO: readonly string[] = ['flood', 'jumbo', 'other-source', 'random', 'deep-info'];

function validateHostile(d: Record<string, unknown>, p: string, ports: Set<number>, bad: (path: string, msg: string) => void): void {
  const h = d['hostile'];
  if (!isObj(h)) return bad(p, 'must be an object');
  if (h['miio'] !== undefined) {
    if (typeof h['miio'] !== 'string' || !HOSTILE_MIIO.includes(h['miio'])) bad(`${p}.miio`, `must be one of ${HOSTILE_MIIO.join(', ')}`);
    // Both would bind UDP 54321 on the same address.
    if (d['miio'] !== undefined) bad(`${p}.miio`, 'replaces the honest miio responder: drop the device\'s "miio"');
    if (h['miio'] === 'other-source' && (typeof h['otherSource'] !== 'string' || !IPV4.test(h['otherSource']))) bad(`${p}.otherSource`, 'other-source needs an IPv4 otherSource');
  }
  const num = (k: string, min: number, max: number) => {
    const v = h[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) bad(`${p}.${k}`, `must be an integer ${min}-${max}`);
  };
  num('floodPerSecond', 1, 100_000);
  num('floodSeconds', 1, 60);
  num('deepLevels', 1, 1_000_000);
  num('mdnsRecords', 1, 100_000);
  if (h['otherSource'] !== undefined && (typeof h['otherSource'] !== 'string' || !IPV4.test(h['otherSource']))) bad(`${p}.otherSource`, 'must be an IPv4 address');
  if (h['tcp'] !== undefined) {
    if (!Array.isArray(h['tcp'])) return bad(`${p}.tcp`, 'must be an array');
    h['tcp'].forEach((t: unknown, j: number) => {
      const q = `${p}.tcp[${j}]`;
      if (!isObj(t)) return bad(q, 'must be an object');
      if (!isPort(t['port'])) bad(`${q}.port`, 'must be a TCP port');
      else if (ports.has(t['port'])) bad(`${q}.port`, `duplicate port ${t['port']}`);
      else ports.add(t['port']);
      if (t['behaviour'] !== 'trickle' && t['behaviour'] !== 'stream') bad(`${q}.behaviour`, 'must be trickle or stream');
      if (t['bytes'] !== undefined && !(typeof t['bytes'] === 'number' && Number.isInteger(t['bytes']) && t['bytes'] >= 0 && t['bytes'] <= 1 << 30)) bad(`${q}.bytes`, 'must be 0-1 GiB');
      if (t['banner'] !== undefined && (typeof t['banner'] !== 'string' || t['banner'].length === 0)) bad(`${q}.banner`, 'must be a non-empty string');
    });
  }
}

/** A profile set that failed validation; `issues` holds one "path: message" per problem. */
export class ProfileError extends SimError {
  readonly issues: readonly string[];
  constructor(source: string, issues: string[]) {
    super('SIM_ERR_PROFILE', `invalid profile set ${source}: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`);
    this.name = 'ProfileError';
    this.issues = issues;
  }
}

/** `<model with . -> ->_miio<did>`: the real _miio._udp instance and SRV host label (§4.1). */
export function miioInstanceName(model: string, did: number): string {
  return `${model.replace(/\./g, '-')}_miio${did}`;
}

/** Lower-case, colon-free MAC as carried in TXT `mac` and the Lumi `sid` (§4.1, §5.3). */
export function compactMac(mac: string): string {
  return mac.replace(/:/g, '').toLowerCase();
}

/**
 * Assign addresses: a profile's own `address` wins, the others get 127.0.0.x from x = 10 upwards in
 * file order, so `--only` never moves a device.
 */
export function assignLoopbackAddresses(set: ProfileSet): Map<string, string> {
  const taken = new Set(set.devices.map((d) => d.address).filter((a): a is string => typeof a === 'string'));
  const out = new Map<string, string>();
  let x = 10;
  for (const d of set.devices) {
    if (d.address !== undefined) {
      out.set(d.name, d.address);
      continue;
    }
    while (taken.has(`127.0.0.${x}`)) x++;
    if (x > 254) throw new SimError('SIM_ERR_ARGS', 'more devices than free 127.0.0.x addresses');
    const a = `127.0.0.${x}`;
    taken.add(a);
    out.set(d.name, a);
  }
  return out;
}
