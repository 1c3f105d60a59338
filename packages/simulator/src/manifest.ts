import { buildDeviceMdns } from './mdns-records.js';
import type { DeviceProfile } from './profile.js';

/** Ground truth for tests (contract "Manifest"); extra fields are additive. */
export interface ManifestDevice {
  name: string;
  address: string;
  port: number | null;
  did: number;
  model: string;
  fw_ver: string;
  hw_ver: string;
  mac: string;
  /** The device token in hex: the manifest is test ground truth, so it is the one place it appears. */
  token: string;
  leaksToken: boolean;
  answersBroadcast: boolean;
  answersInfo: boolean;
  /** Instance name of the `_miio._udp` advert (else the first advert), null without mDNS. */
  mdnsName: string | null;
  tcpPorts: number[];
  yeelight: boolean;
  lumiGateway: boolean;
  router: boolean;
  /** Additive: the mDNS host (SRV target) and every advert. */
  mdnsHost: string | null;
  mdnsServices: { type: string; name: string; port: number; malformedTxt: boolean }[];
  /** Additive: hello reply variant and wrong-token behaviour, null without miIO. */
  helloReply: 'normal' | 'truncated' | 'garbage' | null;
  wrongTokenReply: 'silence' | 'ff-header' | null;
  replyDelayMs: number;
}

export interface Manifest {
  generatedAt: string;
  /** Additive: "loopback" or the interface name given with --interface. */
  mode: string;
  /** Additive: whether multicast responders (mDNS, Yeelight search, Lumi whois) run. */
  multicast: boolean;
  devices: ManifestDevice[];
}

export function tcpPortsOf(p: DeviceProfile): number[] {
  const ports = new Set((p.tcp ?? []).map((t) => t.port));
  if (p.router && !(p.tcp ?? []).some((t) => t.service === 'http')) ports.add(80);
  if (p.yeelight?.lanControl) ports.add(55443);
  return [...ports].sort((a, b) => a - b);
}

export function manifestDevice(p: DeviceProfile, address: string): ManifestDevice {
  const m = p.miio;
  const mdns = buildDeviceMdns(p, address);
  const main = mdns.services.find((s) => s.type === '_miio._udp') ?? mdns.services[0];
  return {
    name: p.name,
    address,
    port: m ? 54321 : null,
    did: p.did,
    model: p.model,
    fw_ver: p.fw_ver,
    hw_ver: p.hw_ver,
    mac: p.mac,
    token: p.token.toLowerCase(),
    leaksToken: !!m && m.leakToken === true && (m.helloReply ?? 'normal') === 'normal',
    answersBroadcast: !!m && m.ignoreBroadcast !== true,
    answersInfo: !!m && m.answersInfo !== false,
    mdnsName: main?.instance ?? null,
    tcpPorts: tcpPortsOf(p),
    yeelight: !!p.yeelight,
    lumiGateway: !!p.lumiGateway,
    router: !!p.router,
    mdnsHost: mdns.services.length > 0 ? mdns.host : null,
    mdnsServices: mdns.services.map((s) => ({ type: s.type, name: s.instance, port: s.srv.type === 'SRV' ? s.srv.data.port : 0, malformedTxt: s.rawTxt !== null })),
    helloReply: m ? (m.helloReply ?? 'normal') : null,
    wrongTokenReply: m ? (m.wrongTokenReply ?? 'silence') : null,
    replyDelayMs: m?.replyDelayMs ?? 0,
  };
}
