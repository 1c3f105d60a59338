import { DNS_TYPE, type DnsRecord, type LenientMessage } from './dns-message.js';
import { instanceLabel, parseTxtStrings } from './names.js';

/** The service types discovery browses (protocols.md §4). */
export const MDNS_SERVICE_TYPES = [
  '_miio._udp',
  '_miot-central._tcp',
  '_hap._tcp',
  '_aqara._tcp',
  '_aqara-setup._tcp',
  '_valetudo._tcp',
] as const;

export interface MdnsService {
  /** `_miio._udp` (no `.local`). */
  type: string;
  /** Full instance name, `zhimi-airpurifier-m1_miio54417276._miio._udp.local`. */
  fqdn: string;
  /** Instance label, `zhimi-airpurifier-m1_miio54417276`. */
  name: string;
  host: string | null;
  port: number | null;
  txt: Record<string, string>;
  rawTxt: Buffer[];
  txtMalformed: boolean;
  addresses: string[];
}

const lc = (s: string) => s.toLowerCase().replace(/\.$/, '');

/**
 * Assemble the services of one decoded mDNS response (PTR → SRV/TXT → A), for the watched types.
 * An SRV or TXT under a watched type without a PTR (unsolicited announcement) counts as well.
 */
export function servicesFromMessage(msg: LenientMessage, types: readonly string[] = MDNS_SERVICE_TYPES): MdnsService[] {
  const records: DnsRecord[] = [...msg.answers, ...msg.authorities, ...msg.additionals];
  const typeOf = (fqdn: string): string | null => {
    const n = lc(fqdn);
    for (const t of types) if (n.endsWith(`.${t}.local`)) return t;
    return null;
  };
  const instances = new Map<string, string>(); // lc fqdn → type
  const originalName = new Map<string, string>();
  for (const r of records) {
    if (r.data.kind === 'PTR') {
      const t = types.find((x) => lc(r.name) === `${x}.local`);
      if (t !== undefined) {
        instances.set(lc(r.data.target), t);
        originalName.set(lc(r.data.target), r.data.target);
      }
    } else if (r.data.kind === 'SRV' || r.data.kind === 'TXT') {
      const t = typeOf(r.name);
      if (t !== null && !instances.has(lc(r.name))) {
        instances.set(lc(r.name), t);
        originalName.set(lc(r.name), r.name);
      }
    }
  }
  const out: MdnsService[] = [];
  for (const [key, type] of instances) {
    const fqdn = originalName.get(key) ?? key;
    const svc: MdnsService = {
      type,
      fqdn,
      name: instanceLabel(fqdn, `${type}.local`),
      host: null,
      port: null,
      txt: {},
      rawTxt: [],
      txtMalformed: false,
      addresses: [],
    };
    for (const r of records) {
      if (lc(r.name) !== key) continue;
      if (r.data.kind === 'SRV' && svc.port === null) {
        svc.port = r.data.port;
        svc.host = r.data.target;
      } else if (r.data.kind === 'TXT' && svc.rawTxt.length === 0) {
        svc.rawTxt = r.data.strings;
        svc.txtMalformed = r.data.malformed;
        svc.txt = parseTxtStrings(r.data.strings);
      }
    }
    if (svc.host !== null) {
      const host = lc(svc.host);
      for (const r of records) {
        if (r.type === DNS_TYPE.A && r.data.kind === 'A' && lc(r.name) === host && !svc.addresses.includes(r.data.address)) {
          svc.addresses.push(r.data.address);
        }
      }
    }
    out.push(svc);
  }
  return out;
}
