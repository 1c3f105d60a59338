import type { XiaomiFamily } from '../oui/classify.js';
import type { HelloEvidence, LumiEvidence, MdnsEvidence, Sighting, SourceName, YeelightEvidence } from './sighting.js';

export type ConflictField = 'ip' | 'mac' | 'deviceId' | 'model';

export interface Conflict {
  field: ConflictField;
  /** Every distinct value, with the sources that said it (first-seen order). */
  values: Array<{ value: string; sources: SourceName[] }>;
}

/** One physical device as discovery knows it, with what each source said. */
export interface DeviceRecord {
  /** `did:<decimal>`, `mac:<AA:BB:…>` or `ip:<a.b.c.d>`: how the merge keyed it. */
  key: string;
  ip: string | null;
  mac: string | null;
  vendor: string | null;
  xiaomiFamily: XiaomiFamily | null;
  deviceId: string | null;
  model: string | null;
  names: string[];
  sources: SourceName[];
  /** First hello reply (unicast sweep preferred): did, stamp, token-field verdict. */
  hello: HelloEvidence | null;
  firmware: Array<{ version: string; from: string; source: SourceName }>;
  services: MdnsEvidence[];
  yeelight: YeelightEvidence | null;
  lumi: LumiEvidence | null;
  conflicts: Conflict[];
  /** What each sighting said, compactly (the full sightings stay with the caller). */
  evidence: Array<{ source: SourceName; at: number; ip: string | null; mac: string | null; deviceId: string | null; model: string | null }>;
  firstSeen: number;
  lastSeen: number;
}

export type MacClassifier = (mac: string) => { vendor: string | null; xiaomiFamily: XiaomiFamily | null };

/** Which source is believed first for each field (the UDP source address beats what a payload claims). */
const PRIORITY: Record<ConflictField, SourceName[]> = {
  ip: ['hello-sweep', 'hello-broadcast', 'arp', 'yeelight', 'lumi', 'mdns', 'mdns-lenient'],
  mac: ['arp', 'mdns', 'mdns-lenient', 'lumi', 'yeelight', 'hello-sweep', 'hello-broadcast'],
  deviceId: ['hello-sweep', 'hello-broadcast', 'mdns', 'mdns-lenient', 'yeelight', 'lumi', 'arp'],
  model: ['mdns', 'mdns-lenient', 'lumi', 'yeelight', 'hello-sweep', 'hello-broadcast', 'arp'],
};

interface Group {
  key: string;
  sightings: Sighting[];
}

/**
 * Fold sightings into one record per physical device (pure). Keyed by miIO device id first; a
 * sighting without a did joins the record that shares its MAC, else the one that shares its IP;
 * otherwise it starts a record keyed by MAC, else IP. Disagreements stay visible in `conflicts`.
 */
export function mergeSightings(sightings: readonly Sighting[], classify: MacClassifier): DeviceRecord[] {
  const groups: Group[] = [];
  const byDid = new Map<string, Group>();
  for (const s of sightings) {
    if (s.deviceId === null) continue;
    let g = byDid.get(s.deviceId);
    if (g === undefined) {
      g = { key: `did:${s.deviceId}`, sightings: [] };
      byDid.set(s.deviceId, g);
      groups.push(g);
    }
    g.sightings.push(s);
  }
  // Did-less sightings with a MAC first, so an IP-only sighting can join a MAC-keyed record.
  const rest = sightings.filter((s) => s.deviceId === null);
  const ordered = [...rest.filter((s) => s.mac !== null), ...rest.filter((s) => s.mac === null)];
  for (const s of ordered) {
    let g: Group | undefined;
    if (s.mac !== null) g = groups.find((x) => x.sightings.some((o) => o.mac === s.mac));
    if (g === undefined && s.ip !== null) g = groups.find((x) => x.sightings.some((o) => o.ip === s.ip));
    if (g === undefined) {
      if (s.mac === null && s.ip === null) continue; // nothing to key it by: no device
      g = { key: s.mac !== null ? `mac:${s.mac}` : `ip:${s.ip}`, sightings: [] };
      groups.push(g);
    }
    g.sightings.push(s);
  }
  return groups.map((g) => buildRecord(g, classify));
}

function distinct(sightings: readonly Sighting[], field: ConflictField): Conflict['values'] {
  const out: Conflict['values'] = [];
  for (const s of sightings) {
    const v = s[field];
    if (v === null) continue;
    const e = out.find((x) => x.value === v);
    if (e === undefined) out.push({ value: v, sources: [s.source] });
    else if (!e.sources.includes(s.source)) e.sources.push(s.source);
  }
  return out;
}

/**
 * Yeelight (`color`) and Lumi (`gateway`) report logical model names, not miIO model ids: they do
 * not contradict a dotted model such as `yeelink.light.color1`, only another dotted one does.
 */
function conflicting(field: ConflictField, values: Conflict['values']): boolean {
  if (field !== 'model') return values.length > 1;
  const dotted = values.filter((v) => v.value.includes('.'));
  return dotted.length > 1 || (dotted.length === 0 && values.length > 1);
}

function pick(values: Conflict['values'], field: ConflictField): string | null {
  const order = PRIORITY[field];
  let best: { value: string; rank: number } | null = null;
  for (const v of values) {
    const rank = Math.min(...v.sources.map((s) => (order.indexOf(s) < 0 ? order.length : order.indexOf(s))));
    if (best === null || rank < best.rank) best = { value: v.value, rank };
  }
  return best?.value ?? null;
}

function buildRecord(g: Group, classify: MacClassifier): DeviceRecord {
  const ss = [...g.sightings].sort((a, b) => a.at - b.at);
  const conflicts: Conflict[] = [];
  const chosen = {} as Record<ConflictField, string | null>;
  for (const field of ['ip', 'mac', 'deviceId', 'model'] as const) {
    const values = distinct(ss, field);
    if (conflicting(field, values)) conflicts.push({ field, values });
    chosen[field] = pick(values, field);
  }
  const vendor = chosen.mac !== null ? classify(chosen.mac) : { vendor: null, xiaomiFamily: null };
  const sources: SourceName[] = [];
  const names: string[] = [];
  const firmware: DeviceRecord['firmware'] = [];
  const services: MdnsEvidence[] = [];
  for (const s of ss) {
    if (!sources.includes(s.source)) sources.push(s.source);
    for (const n of s.names) if (!names.includes(n)) names.push(n);
    if (s.firmware && !firmware.some((f) => f.version === s.firmware!.version && f.from === s.firmware!.from)) {
      firmware.push({ ...s.firmware, source: s.source });
    }
    if (s.mdns && !services.some((m) => m.type === s.mdns!.type && m.name === s.mdns!.name)) services.push(s.mdns);
  }
  const helloFrom = (src: SourceName) => ss.find((s) => s.source === src && s.hello)?.hello;
  return {
    key: g.key,
    ip: chosen.ip,
    mac: chosen.mac,
    vendor: vendor.vendor,
    xiaomiFamily: vendor.xiaomiFamily,
    deviceId: chosen.deviceId,
    model: chosen.model,
    names,
    sources,
    hello: helloFrom('hello-sweep') ?? helloFrom('hello-broadcast') ?? null,
    firmware,
    services,
    yeelight: ss.find((s) => s.yeelight)?.yeelight ?? null,
    lumi: ss.find((s) => s.lumi)?.lumi ?? null,
    conflicts,
    evidence: ss.map((s) => ({ source: s.source, at: s.at, ip: s.ip, mac: s.mac, deviceId: s.deviceId, model: s.model })),
    firstSeen: ss[0]?.at ?? 0,
    lastSeen: ss[ss.length - 1]?.at ?? 0,
  };
}
