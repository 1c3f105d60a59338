import type { DeviceMdns, MdnsQuestion } from './mdns-records.js';

/** What both mDNS responders (bonjour-service, and the raw one for the malformed-TXT firmware) offer. */
export interface MdnsResponder {
  close(): Promise<void>;
}

export interface MdnsResponderOptions {
  device: DeviceMdns;
  /** IPv4 address of the interface to serve on (a 127.0.0.x in loopback mode). */
  interfaceAddress: string;
  /** Called for every query that asks about one of this device's names. */
  onQuery(questions: MdnsQuestion[], from: string): void;
  onError(err: Error): void;
}

/** RFC 6762 §8.3: announce at least twice, one second apart. */
export const ANNOUNCE_INTERVAL_MS = 1000;
/** Deadline for a responder socket to bind and join the group. */
export const MDNS_READY_TIMEOUT_MS = 5000;
