import type { Token } from '@xmscan/miio-probe/codec';

/** Which adapter saw a device. */
export type SourceName =
  | 'mdns' // bonjour-service browse
  | 'mdns-lenient' // our decoder, for replies the library dropped
  | 'hello-broadcast'
  | 'hello-sweep'
  | 'arp'
  | 'yeelight'
  | 'lumi';

export interface HelloEvidence {
  /** Bytes 12-15 (§1.8) and when the reply arrived (ms since epoch), to build later requests. */
  stamp: number;
  receivedAt: number;
  tokenField: 'hidden' | 'exposed';
  hiddenAs: 'ff' | '00' | null;
  printableToken: boolean;
  /** The exposed token, printable only as a fingerprint (Token hides its bytes). */
  token: Token | null;
  /** Hex of the 32 bytes with the token field masked when exposed (evidence without the secret). */
  replyHex: string;
}

export interface MdnsEvidence {
  type: string;
  name: string;
  host: string | null;
  port: number | null;
  txt: Record<string, string>;
  txtMalformed: boolean;
}

/** One thing one source said about one device. Every field but `source` and `at` is optional evidence. */
export interface Sighting {
  source: SourceName;
  /** ms since epoch. */
  at: number;
  ip: string | null;
  /** `AA:BB:CC:DD:EE:FF`. */
  mac: string | null;
  /** miIO did as a decimal string. */
  deviceId: string | null;
  model: string | null;
  /** Instance names, host names, user-set names. */
  names: string[];
  firmware?: { version: string; from: string } | undefined;
  hello?: HelloEvidence | undefined;
  mdns?: MdnsEvidence | undefined;
  yeelight?: YeelightEvidence | undefined;
  lumi?: LumiEvidence | undefined;
  /** ARP: the interface the neighbour sits on. */
  interface?: string | undefined;
}

export interface YeelightEvidence {
  id: string;
  model: string | null;
  fwVer: string | null;
  support: string[];
  location: string | null;
  lanControl: { host: string; port: number } | null;
  name: string | null;
  server: string | null;
}

export interface LumiEvidence {
  sid: string | null;
  model: string | null;
  port: number | null;
  ip: string | null;
  protoVersion: string | null;
}

export function emptySighting(source: SourceName, at: number): Sighting {
  return { source, at, ip: null, mac: null, deviceId: null, model: null, names: [] };
}
