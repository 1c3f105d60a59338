import type { LumiEvidence } from '../discovery/sighting.js';
import { isIpv4 } from '../targets/ipv4.js';

/** Aqara/Lumi gateway discovery (protocols.md §5.3): `whois` to 224.0.0.50:4321, `iam` back. */
export const LUMI_WHOIS = Buffer.from('{"cmd":"whois"}', 'utf8');
export const LUMI_GROUP = '224.0.0.50';
export const LUMI_PORT = 4321;

const MAX_REPLY = 4096;

/** Parse an `iam` reply. The port is a string on the wire (§5.3); `sid` is the MAC without colons. */
export function parseLumiIam(datagram: Uint8Array): LumiEvidence | null {
  if (datagram.length === 0 || datagram.length > MAX_REPLY) return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(datagram).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o['cmd'] !== 'iam') return null;
  const str = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : typeof o[k] === 'number' ? String(o[k]) : null);
  const portText = str('port');
  const port = portText !== null && /^\d{1,5}$/.test(portText) && Number(portText) < 65536 ? Number(portText) : null;
  const ip = str('ip');
  const sid = str('sid');
  return {
    sid: sid !== null && /^[0-9a-fA-F]{1,16}$/.test(sid) ? sid.toLowerCase() : null,
    model: str('model'),
    port,
    ip: ip !== null && isIpv4(ip) ? ip : null,
    protoVersion: str('proto_version'),
  };
}
