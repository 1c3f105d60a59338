import type { Sighting, SourceName } from '../discovery/sighting.js';
import { normalizeMac } from '../oui/mac.js';
import { macFromTxt, parseMiioName } from './names.js';
import type { MdnsService } from './services.js';

/**
 * What one mDNS service says about its device (protocols.md §4): model and did from a
 * `<model>_miio<did>` instance or host name, MAC from TXT (incl. the `poch` quirk), model from TXT
 * `md` (Aqara / HomeKit) or `model` (Valetudo), firmware from TXT `fw` (Aqara) or `version` (Valetudo).
 * `fallbackIp` is the datagram's source address: services seen on lo carry no A record.
 */
export function sightingFromService(svc: MdnsService, source: SourceName, at: number, fallbackIp: string | null): Sighting {
  const s: Sighting = { source, at, ip: svc.addresses[0] ?? fallbackIp, mac: null, deviceId: null, model: null, names: [] };
  const hostLabel = svc.host?.replace(/\.$/, '').replace(/\.local$/i, '') ?? null;
  s.names.push(svc.name);
  if (hostLabel !== null && hostLabel !== svc.name) s.names.push(hostLabel);
  const fromName = parseMiioName(svc.name) ?? (hostLabel !== null ? parseMiioName(hostLabel) : null);
  if (fromName !== null) {
    s.model = fromName.model;
    s.deviceId = fromName.deviceId;
  }
  s.mac = normalizeMac(macFromTxt(svc.txt, svc.rawTxt));
  const txt = svc.txt;
  if (s.model === null) {
    if (svc.type.startsWith('_aqara') && txt['md']) s.model = txt['md'];
    else if (svc.type === '_valetudo._tcp' && txt['model']) s.model = txt['model'];
    else if (svc.type === '_hap._tcp' && txt['md']) s.model = txt['md'];
  }
  if (svc.type.startsWith('_aqara') && txt['fw']) s.firmware = { version: txt['fw'], from: `${svc.type} TXT fw` };
  if (svc.type === '_valetudo._tcp' && txt['version']) s.firmware = { version: txt['version'], from: 'Valetudo TXT version' };
  if (svc.type === '_aqara._tcp' && txt['address'] && s.ip === null) s.ip = txt['address'];
  s.mdns = { type: svc.type, name: svc.name, host: svc.host, port: svc.port, txt: { ...txt }, txtMalformed: svc.txtMalformed };
  return s;
}
