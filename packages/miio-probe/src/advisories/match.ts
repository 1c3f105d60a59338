/**
 * Pure matching of a device identity + firmware version against the advisory database
 * (advisories.md §4: compare only within one model and one version namespace; unknown versions
 * and unknown ranges give "may be affected" at `possible` confidence, never `certain`).
 */
import type { Advisory, AdvisoryDatabase, AdvisoryEcosystem, AdvisorySeverityLevel, AffectedEntry, AffectedRange } from './types.js';
import { compareFirmwareVersions, firmwareVersionMatches } from './version.js';
import type { VersionScheme } from './version.js';

export type MatchConfidence = 'certain' | 'likely' | 'possible';

/** What we know about one device, per namespace. Absent / null = unknown. */
export interface AdvisorySubject {
  /** miIO model id (`miIO.info` model, or the mDNS instance name's model). */
  miioModel?: string | null;
  /** `miIO.info` `fw_ver` (needs a token). */
  miioFirmware?: string | null;
  /** Router `init_info.hardware` (`R3600`). */
  routerHardware?: string | null;
  /** Router `init_info.romversion`. */
  routerRomVersion?: string | null;
  /** Yeelight SSDP `model` (`color`) and `fw_ver` (integer string). */
  yeelightModel?: string | null;
  yeelightFirmware?: string | null;
  /** Aqara mDNS TXT `md`. */
  aqaraMd?: string | null;
  /** Open TCP ports (for records with `requires_open_tcp`); unknown counts as none open. */
  openTcpPorts?: readonly number[];
}

export interface AdvisoryMatch {
  advisory: Advisory;
  affected: AffectedEntry;
  ecosystem: AdvisoryEcosystem;
  /** The subject value that matched (`lumi.gateway.mgl03`, `R3600`). */
  identity: string;
  /** Device firmware in that namespace; null when unknown. */
  version: string | null;
  verdict: 'affected' | 'possibly-affected';
  confidence: MatchConfidence;
  /** Plain-words why, for the finding's evidence. */
  reason: string;
  /** Severity of the finding (the record's, or its `finding_severity`). */
  severity: AdvisorySeverityLevel;
}

export interface MatchOptions {
  /** Include `exposure-check` records (they back dedicated checks; default false). */
  includeExposureChecks?: boolean;
}

function identityFor(subject: AdvisorySubject, eco: AdvisoryEcosystem): { id: string; version: string | null } | null {
  const pick = (id: string | null | undefined, version: string | null | undefined): { id: string; version: string | null } | null =>
    typeof id === 'string' && id.trim() !== '' ? { id: id.trim(), version: typeof version === 'string' && version.trim() !== '' ? version.trim() : null } : null;
  switch (eco) {
    case 'x-miio':
      return pick(subject.miioModel, subject.miioFirmware);
    case 'x-miwifi-hardware':
      return pick(subject.routerHardware, subject.routerRomVersion);
    case 'x-yeelight':
      return pick(subject.yeelightModel, subject.yeelightFirmware);
    case 'x-aqara-md':
      return pick(subject.aqaraMd, null);
    case 'x-product':
      return null; // prose products have no machine identity
  }
}

/** `*` matches any identity; `a.b.*` matches ids starting `a.b.`; otherwise case-insensitive equality. */
export function nameMatches(pattern: string, identity: string): boolean {
  const p = pattern.toLowerCase();
  const id = identity.toLowerCase();
  if (p === '*') return true;
  if (p.endsWith('.*')) return id.startsWith(p.slice(0, -1)) && id.length > p.length - 1;
  return p === id;
}

type RangeVerdict = 'affected' | 'gap' | 'clear' | 'unknown';

/** One OSV range: introduced ≤ v ≤ last_affected → affected; last_affected < v < fixed → gap; else clear. */
function evalRange(range: AffectedRange, version: string, scheme: VersionScheme): RangeVerdict {
  let introduced = '0';
  let fixed: string | undefined;
  let lastAffected: string | undefined;
  for (const e of range.events) {
    if (e.introduced !== undefined) introduced = e.introduced;
    if (e.fixed !== undefined) fixed = e.fixed;
    if (e.last_affected !== undefined) lastAffected = e.last_affected;
  }
  if (introduced !== '0') {
    const c = compareFirmwareVersions(version, introduced, scheme);
    if (c === null) return 'unknown';
    if (c < 0) return 'clear';
  }
  if (lastAffected !== undefined) {
    const c = compareFirmwareVersions(version, lastAffected, scheme);
    if (c === null) return 'unknown';
    if (c <= 0) return 'affected';
    if (fixed === undefined) return 'clear';
    const f = compareFirmwareVersions(version, fixed, scheme);
    if (f === null) return 'unknown';
    return f < 0 ? 'gap' : 'clear';
  }
  if (fixed !== undefined) {
    const f = compareFirmwareVersions(version, fixed, scheme);
    if (f === null) return 'unknown';
    return f < 0 ? 'affected' : 'clear';
  }
  return 'affected'; // introduced only: every version from there on
}

/** True for a range that covers every version: `introduced: "0"` and no end event. */
export function isAllVersions(range: AffectedRange): boolean {
  return range.events.every((e) => e.introduced === '0');
}

interface EntryResult {
  verdict: 'affected' | 'possibly-affected';
  confidence: MatchConfidence;
  reason: string;
}

function evalEntry(entry: AffectedEntry, identity: string, version: string | null): EntryResult | null {
  const ds = entry.database_specific;
  const scheme = ds.version_scheme;
  const wildcard = entry.package.name.includes('*');
  // Certain only when model id, source and version all hold: an unverified model id or a
  // community threshold can at best be "likely" (advisories.md method rules).
  const strong = ds.model_verified && !wildcard && (ds.source_confidence === 'cve-record' || ds.source_confidence === 'vendor');
  const rangeConfidence: MatchConfidence = strong ? 'certain' : 'likely';
  const possible = (reason: string): EntryResult => ({ verdict: 'possibly-affected', confidence: 'possible', reason });

  if (ds.versions_unknown === true) {
    if (ds.date_cutoff !== undefined) {
      return possible(`the record gives a release date (before ${ds.date_cutoff}), not a version; ${identity} may be affected, check the firmware date`);
    }
    return possible(`the record names no affected versions; ${identity} may be affected`);
  }
  // "All versions" (introduced 0, no end): the firmware does not matter.
  if ((entry.ranges ?? []).some(isAllVersions)) {
    return { verdict: 'affected', confidence: rangeConfidence, reason: `every firmware version of ${identity} is affected` };
  }
  if (version === null) return possible(`firmware version of ${identity} is unknown (a token is needed to read it); it may be affected`);
  const hasList = (entry.versions?.length ?? 0) > 0;
  const hasRanges = (entry.ranges?.length ?? 0) > 0;

  let unknown = false;
  if (hasList) {
    for (const listed of entry.versions ?? []) {
      const m = firmwareVersionMatches(version, listed, scheme);
      if (m === null) unknown = true;
      else if (m) return { verdict: 'affected', confidence: 'likely', reason: `firmware ${version} is a version reported affected` };
    }
  }
  if (hasRanges) {
    let gap = false;
    for (const range of entry.ranges ?? []) {
      const v = evalRange(range, version, scheme);
      if (v === 'affected') return { verdict: 'affected', confidence: rangeConfidence, reason: `firmware ${version} is in the affected range` };
      if (v === 'gap') gap = true;
      if (v === 'unknown') unknown = true;
    }
    if (gap) return possible(`firmware ${version} is between the last affected and the fixed version`);
  }
  if (unknown && !hasRanges) {
    return possible(`firmware ${version} cannot be compared with the reported versions`);
  }
  if (unknown) return possible(`firmware ${version} cannot be compared with the affected range`);
  return null; // known version outside every range / list: not affected
}

const RANK: Readonly<Record<MatchConfidence, number>> = { possible: 0, likely: 1, certain: 2 };

/**
 * Every advisory that applies (or may apply) to the subject: at most one match per advisory, the
 * strongest of its affected entries. Sorted by advisory id.
 * @example
 *   matchAdvisories(db, { miioModel: 'lumi.gateway.mgl03', miioFirmware: '1.4.5_0016' })
 */
export function matchAdvisories(db: AdvisoryDatabase, subject: AdvisorySubject, options: MatchOptions = {}): AdvisoryMatch[] {
  const out: AdvisoryMatch[] = [];
  const open = new Set(subject.openTcpPorts ?? []);
  for (const advisory of db.advisories) {
    const ads = advisory.database_specific;
    if (ads.kind === 'exposure-check' && options.includeExposureChecks !== true) continue;
    if (ads.requires_open_tcp !== undefined && !ads.requires_open_tcp.some((p) => open.has(p))) continue;
    let best: AdvisoryMatch | null = null;
    for (const entry of advisory.affected) {
      const who = identityFor(subject, entry.package.ecosystem);
      if (who === null || !nameMatches(entry.package.name, who.id)) continue;
      const r = evalEntry(entry, who.id, who.version);
      if (r === null) continue;
      const candidate: AdvisoryMatch = {
        advisory,
        affected: entry,
        ecosystem: entry.package.ecosystem,
        identity: who.id,
        version: who.version,
        verdict: r.verdict,
        confidence: r.confidence,
        reason: r.reason,
        severity: ads.finding_severity ?? ads.severity.level,
      };
      if (best === null || RANK[candidate.confidence] > RANK[best.confidence]) best = candidate;
    }
    if (best !== null) out.push(best);
  }
  return out;
}

/**
 * The newest firmware version our data mentions for this exact model (fixed, last affected, or
 * reported), for "older than known" hints (advisories.md §3.10 (a)). Null when none is comparable.
 */
export function newestKnownVersion(db: AdvisoryDatabase, ecosystem: AdvisoryEcosystem, identity: string): { version: string; scheme: VersionScheme; advisoryId: string } | null {
  let best: { version: string; scheme: VersionScheme; advisoryId: string } | null = null;
  for (const advisory of db.advisories) {
    for (const entry of advisory.affected) {
      if (entry.package.ecosystem !== ecosystem || entry.package.name.includes('*') || !nameMatches(entry.package.name, identity)) continue;
      const scheme = entry.database_specific.version_scheme;
      const versions = [...(entry.versions ?? [])];
      for (const r of entry.ranges ?? []) for (const e of r.events) versions.push(...[e.fixed, e.last_affected, e.introduced].filter((v): v is string => v !== undefined && v !== '0'));
      for (const v of versions) {
        if (best === null) {
          if (compareFirmwareVersions(v, v, scheme) !== null) best = { version: v, scheme, advisoryId: advisory.id };
          continue;
        }
        const c = compareFirmwareVersions(v, best.version, scheme);
        if (c !== null && c > 0) best = { version: v, scheme, advisoryId: advisory.id };
      }
    }
  }
  return best;
}
