import type { DiscoveryResult } from './discover.js';
import type { Conflict, DeviceRecord } from './merge.js';
import type { LumiEvidence, MdnsEvidence, SourceName, YeelightEvidence } from './sighting.js';

export interface DiscoveryJsonDevice {
  ip: string | null;
  mac: string | null;
  vendor: string | null;
  xiaomiFamily: 'strong' | 'weak' | null;
  deviceId: string | null;
  model: string | null;
  names: string[];
  sources: SourceName[];
  /** The hello verdict; never the token, only its fingerprint when exposed. */
  hello: {
    tokenField: 'hidden' | 'exposed';
    hiddenAs: 'ff' | '00' | null;
    printableToken: boolean;
    tokenFingerprint: string | null;
    stamp: number;
    receivedAt: string;
    replyHex: string;
  } | null;
  firmware: Array<{ version: string; from: string; source: SourceName }>;
  services: MdnsEvidence[];
  yeelight: YeelightEvidence | null;
  lumi: LumiEvidence | null;
  conflicts: Conflict[];
  evidence: Array<{ source: SourceName; ip: string | null; mac: string | null; deviceId: string | null; model: string | null }>;
}

export interface DiscoveryJson {
  schemaVersion: 1;
  startedAt: string;
  finishedAt: string;
  devices: DiscoveryJsonDevice[];
}

function device(d: DeviceRecord): DiscoveryJsonDevice {
  return {
    ip: d.ip,
    mac: d.mac,
    vendor: d.vendor,
    xiaomiFamily: d.xiaomiFamily,
    deviceId: d.deviceId,
    model: d.model,
    names: d.names,
    sources: d.sources,
    hello:
      d.hello === null
        ? null
        : {
            tokenField: d.hello.tokenField,
            hiddenAs: d.hello.hiddenAs,
            printableToken: d.hello.printableToken,
            tokenFingerprint: d.hello.token?.fingerprint ?? null,
            stamp: d.hello.stamp,
            receivedAt: new Date(d.hello.receivedAt).toISOString(),
            replyHex: d.hello.replyHex,
          },
    firmware: d.firmware,
    services: d.services,
    yeelight: d.yeelight,
    lumi: d.lumi,
    conflicts: d.conflicts,
    evidence: d.evidence.map(({ source, ip, mac, deviceId, model }) => ({ source, ip, mac, deviceId, model })),
  };
}

const ipKey = (ip: string | null) => (ip === null ? Number.MAX_SAFE_INTEGER : ip.split('.').reduce((a, o) => a * 256 + Number(o), 0));

/** The `xmscan discover --json` document (schemaVersion 1), devices sorted by IP. */
export function toDiscoveryJson(result: DiscoveryResult): DiscoveryJson {
  return {
    schemaVersion: 1,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    devices: [...result.devices].sort((a, b) => ipKey(a.ip) - ipKey(b.ip)).map(device),
  };
}
