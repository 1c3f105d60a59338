/**
 * Advisory records: OSV's shape (ossf/osv-schema), not strict OSV validity (advisories.md §2). Device
 * firmware fits no OSV ecosystem, so `package.ecosystem` uses our own `x-` names and our qualitative
 * severity sits in `database_specific`. One JSON file per record in `data/advisories/`.
 */
import type { VersionScheme } from './version.js';

export type AdvisorySeverityLevel = 'info' | 'low' | 'medium' | 'high' | 'critical';

/**
 * Which identity a record matches on:
 * - `x-miio`: miIO model id (`lumi.gateway.mgl03`; `*` suffix globs: `yeelink.light.*`), version = `miIO.info` `fw_ver`;
 * - `x-miwifi-hardware`: router `init_info.hardware` (`R3600`; `*` = any router), version = `romversion`;
 * - `x-yeelight`: Yeelight SSDP `model` (`color`), version = SSDP `fw_ver` (an integer; own namespace);
 * - `x-aqara-md`: Aqara mDNS TXT `md`, no version source;
 * - `x-product`: a product named in prose with no machine id; never matched, kept for the record.
 */
export type AdvisoryEcosystem = 'x-miio' | 'x-miwifi-hardware' | 'x-yeelight' | 'x-aqara-md' | 'x-product';
export const ADVISORY_ECOSYSTEMS: readonly AdvisoryEcosystem[] = ['x-miio', 'x-miwifi-hardware', 'x-yeelight', 'x-aqara-md', 'x-product'];

/** Where the affected range comes from; `cve-record` / `vendor` can give `certain` findings. */
export type SourceConfidence = 'vendor' | 'cve-record' | 'tool' | 'community' | 'our-assessment';
export const SOURCE_CONFIDENCES: readonly SourceConfidence[] = ['vendor', 'cve-record', 'tool', 'community', 'our-assessment'];

/** OSV range event. `introduced` ≤ v < `fixed`; `last_affected` is inclusive. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

export interface AffectedRange {
  type: 'ECOSYSTEM';
  events: RangeEvent[];
}

export interface AffectedEntry {
  package: { ecosystem: AdvisoryEcosystem; name: string };
  /** Half-open ranges. Both `last_affected` and `fixed` in one range: versions between are "possibly affected". */
  ranges?: AffectedRange[];
  /** Exact versions reported affected; never interpolated (advisories.md §4 rule 4). */
  versions?: string[];
  database_specific: {
    /** False when the model id / hardware code is a guess (advisories.md §5): never `certain`. */
    model_verified: boolean;
    version_scheme: VersionScheme;
    source_confidence: SourceConfidence;
    /** No usable range: the record can only say "may be affected". */
    versions_unknown?: boolean;
    /** The record gives a release date, not a version (CVE-2023-2631x: "before 2023.2"). */
    date_cutoff?: string;
    as_written?: string;
    fixed_note?: string;
    product?: string;
    model_note?: string;
    confidence_note?: string;
    reported_not_affected?: string[];
  };
}

export interface ReferenceNote {
  url: string;
  /** The research file's reference type (CVE_RECORD, TOOL, REPORT …). */
  source_type: string;
  /** False: cited by a record that was read, but not itself read (advisories.md † links). */
  read: boolean;
  note?: string;
}

export interface Advisory {
  schema_version: string;
  /** Our id, `XMSA-nnnn`. Upstream ids (CVE, GHSA) are in `aliases`. */
  id: string;
  modified: string;
  published: string;
  aliases: string[];
  summary: string;
  details: string;
  /** Only CVSS vectors carried by the CVE record. */
  severity: { type: string; score: string }[];
  affected: AffectedEntry[];
  references: { type: string; url: string }[];
  database_specific: {
    /** The id in the research file (`CVE-…` or `x_…`). */
    source_id: string;
    /** `exposure-check` records back a dedicated check and are not matched by firmware. */
    kind: 'advisory' | 'exposure-check';
    category: string;
    severity: { level: AdvisorySeverityLevel; as_written: string; basis: string; cvss_v3?: string };
    lan_attacker: string;
    detection: string;
    remediation: string;
    reference_notes: ReferenceNote[];
    /** Applies only when one of these TCP ports is open (e.g. telnet for default credentials). */
    requires_open_tcp?: number[];
    /** Severity of the finding when it differs from the record's (e.g. "informational" detection). */
    finding_severity?: AdvisorySeverityLevel;
    notes?: string;
  };
}

/** A validated, immutable set of advisories. */
export interface AdvisoryDatabase {
  readonly advisories: readonly Advisory[];
  /** By `XMSA-` id, by alias (CVE) and by research-file source id (`x_…`). */
  readonly index: ReadonlyMap<string, Advisory>;
}
