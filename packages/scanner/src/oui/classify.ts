import { createRequire } from 'node:module';
import { isLocallyAdministered } from './mac.js';

export type XiaomiFamily = 'strong' | 'weak';

export interface MacVendor {
  /** IEEE company name (first line of the registry entry), null when unregistered. */
  vendor: string | null;
  /** The registry prefix that matched (6, 7 or 9 hex digits), null when none. */
  prefix: string | null;
  /**
   * `strong`: a Xiaomi company or ecosystem brand (Lumi/Aqara, Roborock, Yeelink, Dreame, Viomi,
   * Imilab, Qingping, Zimi, Hualai); `weak`: a Wi-Fi module vendor found inside many Mi devices
   * (Espressif, MXCHIP, Realtek), which is no evidence alone (protocols.md §6.2); null otherwise.
   */
  xiaomiFamily: XiaomiFamily | null;
  /** Locally administered (randomised / redacted): vendor unknown, not "not Xiaomi" (§6.1). */
  locallyAdministered: boolean;
}

/** Registry lookup: prefix (upper-case hex) → "Name\nAddress…". Injected in tests. */
export type OuiRegistry = Readonly<Record<string, string>>;

interface FamilyEntry {
  family: XiaomiFamily;
  ieeeName: string;
}

const require = createRequire(import.meta.url);
// data/ sits two levels above both src/oui/ and dist/oui/, so one relative path serves both.
const xiaomiOuis: unknown = require('../../data/xiaomi-ouis.json');

const familyByPrefix = new Map<string, FamilyEntry>();
for (const v of (xiaomiOuis as { vendors: Array<{ ieeeName: string; family: string; prefixes: string[] }> }).vendors) {
  const family: XiaomiFamily = v.family === 'strong' ? 'strong' : 'weak';
  for (const p of v.prefixes) familyByPrefix.set(p.toUpperCase(), { family, ieeeName: v.ieeeName });
}

/** Vendor names that are weak evidence but not in the reference list (too many prefixes to copy). */
const WEAK_VENDOR_NAME = /realtek/i;

let defaultRegistry: OuiRegistry | null = null;
/** oui-data is 5.6 MB of JSON: load it once, on first use. */
function loadRegistry(): OuiRegistry {
  if (defaultRegistry === null) {
    defaultRegistry = require('oui-data') as OuiRegistry;
  }
  return defaultRegistry;
}

/**
 * Vendor and Xiaomi-family verdict of a normalised MAC (`AA:BB:CC:DD:EE:FF`). Longest prefix
 * first: MA-S (9 hex), MA-M (7), MA-L (6), as the registry nests the smaller blocks inside.
 */
export function classifyMac(mac: string, registry: OuiRegistry = loadRegistry()): MacVendor {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  const locallyAdministered = hex.length === 12 && isLocallyAdministered(mac);
  for (const len of [9, 7, 6]) {
    const prefix = hex.slice(0, len);
    const entry = registry[prefix];
    const fam = familyByPrefix.get(prefix);
    if (entry === undefined && fam === undefined) continue;
    const vendor = entry !== undefined ? (entry.split('\n')[0] ?? '').trim() || null : (fam?.ieeeName ?? null);
    let xiaomiFamily: XiaomiFamily | null = fam?.family ?? null;
    if (xiaomiFamily === null && vendor !== null && WEAK_VENDOR_NAME.test(vendor)) xiaomiFamily = 'weak';
    return { vendor, prefix, xiaomiFamily, locallyAdministered };
  }
  return { vendor: null, prefix: null, xiaomiFamily: null, locallyAdministered };
}
