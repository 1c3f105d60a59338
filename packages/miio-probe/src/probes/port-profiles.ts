/**
 * TCP port profiles per device family (data, reviewed like code). Sources: protocols.md §5.5
 * (ports seen on Xiaomi-ecosystem devices) and advisories.md §3 (exposure table). Stock devices
 * expose only UDP 54321 + mDNS, so every TCP port here is one whose being open is worth reporting.
 */
import { ProbeError } from './errors.js';

export type DeviceFamily = 'vacuum' | 'gateway' | 'camera' | 'router' | 'yeelight' | 'generic';

export const DEVICE_FAMILIES: readonly DeviceFamily[] = ['vacuum', 'gateway', 'camera', 'router', 'yeelight', 'generic'];

/** The default scan (protocols.md §7 step 6 plus HTTP alternates and HTTPS). */
export const DEFAULT_TCP_PORTS: readonly number[] = [22, 23, 80, 443, 554, 1883, 8080, 8554, 8883, 55443];

/** Extra ports per family, added to the default list. */
export const FAMILY_EXTRA_PORTS: Readonly<Record<DeviceFamily, readonly number[]>> = {
  // Rooted rockrobo: player 6665 and snmpd (smux) 199 listen on 0.0.0.0 (rand256/valetudo #139).
  vacuum: [199, 6665],
  // openmiio Zigbee TCP bridge on modified gateways (advisories.md §3 table, 8888); FTP after hacks.
  gateway: [21, 8888],
  // Camera hacks add FTP and alternate web ports (fliphess/miicam; Dafang CFW).
  camera: [21, 8000, 8081],
  // OpenWRTInvasion leaves FTP 21 (advisories.md §3.9); DNS 53 is normal on a router.
  router: [21, 53, 8098],
  yeelight: [],
  generic: [],
};

/** Family from a miIO model id (`roborock.vacuum.s5` → vacuum). Unknown → generic. */
export function familyForModel(model: string | undefined | null): DeviceFamily {
  if (!model) return 'generic';
  const m = model.toLowerCase();
  if (/\.vacuum\.|^rockrobo\.|^roborock\.|^dreame\.|^viomi\.vacuum/.test(m)) return 'vacuum';
  if (/^lumi\.(gateway|acpartner|camera\.gw)|\.gateway\.|^lumi\.hub/.test(m)) return 'gateway';
  if (/\.camera\.|^chuangmi\.|^isa\.camera|^mijia\.camera|^imilab\./.test(m)) return 'camera';
  if (/^xiaomi\.router\.|^miwifi|^redmi\.router/.test(m)) return 'router';
  if (/^yeelink\.|^yeelight\./.test(m)) return 'yeelight';
  return 'generic';
}

/** Default ports plus the family's extras, sorted and de-duplicated. */
export function portsForFamily(family: DeviceFamily): number[] {
  return [...new Set([...DEFAULT_TCP_PORTS, ...FAMILY_EXTRA_PORTS[family]])].sort((a, b) => a - b);
}

/** A hard cap so a typo such as `1-65535` cannot turn a home audit into a port sweep. */
export const MAX_USER_PORTS = 1024;

/**
 * Parse a user `--ports` value: `"22,80,1000-1010"`. Whitespace allowed around items. Throws
 * ProbeError MIIO_ERR_BAD_PORTS naming the bad item. Result sorted, de-duplicated.
 */
export function parsePortList(input: string, options: { max?: number } = {}): number[] {
  const max = options.max ?? MAX_USER_PORTS;
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ProbeError('MIIO_ERR_BAD_PORTS', 'port list is empty');
  }
  const out = new Set<number>();
  for (const raw of input.split(',')) {
    const item = raw.trim();
    const shown = JSON.stringify(item.slice(0, 20));
    if (item === '') throw new ProbeError('MIIO_ERR_BAD_PORTS', 'port list has an empty item');
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(item);
    if (!m) throw new ProbeError('MIIO_ERR_BAD_PORTS', `port list item ${shown} is not a port or a range a-b`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) {
      throw new ProbeError('MIIO_ERR_BAD_PORTS', `port list item ${shown} is outside 1-65535`);
    }
    if (hi < lo) throw new ProbeError('MIIO_ERR_BAD_PORTS', `port range ${shown} runs backwards`);
    if (hi - lo + 1 > max) throw new ProbeError('MIIO_ERR_BAD_PORTS', `port list has more than ${max} ports`);
    for (let p = lo; p <= hi; p++) {
      out.add(p);
      if (out.size > max) throw new ProbeError('MIIO_ERR_BAD_PORTS', `port list has more than ${max} ports`);
    }
  }
  return [...out].sort((a, b) => a - b);
}
