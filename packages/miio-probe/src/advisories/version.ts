/**
 * Firmware version parsing and ordering for Xiaomi-ecosystem devices (advisories.md §4).
 *
 * SemVer and string order both fail here: `3.10.18` is newer than `3.2.30` (MiWiFi), `_0043` is a
 * build number rather than a pre-release, `_INT` / `CN` / `-stable` are channels, and Roborock
 * vacuums order by the build after `_` (`3.5.8_004018`), the prefix being the miio_client version.
 * Anything we cannot parse is `null` ("unknown"), and callers must never treat unknown as vulnerable.
 */

export interface FirmwareVersion {
  /** Dotted integers before `_`: `3.5.8` → [3, 5, 8]. */
  core: number[];
  /** Dotted integers after `_`: `_0019.0004` → [19, 4]; empty when absent. */
  build: number[];
  /** Release channel, lower-case (`int`, `cn`, `stable` …); '' when absent. Not part of the order. */
  tag: string;
}

/** `rockrobo.vacuum.*` / `roborock.vacuum.*` compare build first (advisories.md §4 rule 3). */
export type VersionScheme = 'default' | 'roborock';

// core, optional `_build`, optional channel glued on with `_`, `-` or nothing (`1.3.8CN`).
const VERSION_RX = /^\s*v?(\d+(?:\.\d+)*)(?:_(\d+(?:\.\d+)*))?(?:[_-]?([A-Za-z][A-Za-z0-9]*))?\s*$/;
// Channels seen on MiWiFi ROMs. `nocloud` (python-miio dummy) and `dev` are not releases.
const CHANNELS: ReadonlySet<string> = new Set(['', 'int', 'cn', 'stable', 'eu', 'global', 'release']);
// A firmware string longer than this is not a version; it also bounds the regex work on junk.
const MAX_LENGTH = 64;

function toInts(dotted: string): number[] | null {
  const out: number[] = [];
  for (const part of dotted.split('.')) {
    // Leading zeros are padding (`0043` = 43); over 15 digits would lose precision.
    if (part.length > 15) return null;
    out.push(Number(part));
  }
  return out;
}

/**
 * Parse `1.4.6_0043`, `3.5.8_002034`, `3.2.7_0019.0004`, `2.28.23-stable`, `2.8.51_INT`, `1.3.8CN`,
 * `18` (Yeelight). Returns null for anything else (`1.0_nocloud`, `1.5.0-dev(7efd021)`, `SD878x-…`).
 * @example parseFirmwareVersion('3.5.1_00.66') // { core: [3, 5, 1], build: [0, 66], tag: '' }
 */
export function parseFirmwareVersion(text: unknown): FirmwareVersion | null {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return null;
  const m = VERSION_RX.exec(text);
  if (m === null || m[1] === undefined) return null;
  const tag = (m[3] ?? '').toLowerCase();
  if (!CHANNELS.has(tag)) return null;
  const core = toInts(m[1]);
  const build = m[2] === undefined ? [] : toInts(m[2]);
  if (core === null || build === null) return null;
  return { core, build, tag };
}

/** Component-wise numeric order; a missing component counts as 0 (`1.5.5` = `1.5.5.0`). */
function compareParts(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Compare two parsed versions: -1, 0 or 1. The channel tag is ignored for order. */
export function compareParsedVersions(a: FirmwareVersion, b: FirmwareVersion, scheme: VersionScheme = 'default'): -1 | 0 | 1 {
  const r = scheme === 'roborock' ? compareParts(a.build, b.build) || compareParts(a.core, b.core) : compareParts(a.core, b.core) || compareParts(a.build, b.build);
  return r as -1 | 0 | 1;
}

/**
 * -1 / 0 / 1 when both versions parse, null when either is unknown.
 * @example compareFirmwareVersions('3.10.18', '3.2.30') // 1
 * @example compareFirmwareVersions('3.5.8_004018', '4.1.2_1662', 'roborock') // 1 (build 4018 > 1662)
 */
export function compareFirmwareVersions(a: string, b: string, scheme: VersionScheme = 'default'): -1 | 0 | 1 | null {
  const x = parseFirmwareVersion(a);
  const y = parseFirmwareVersion(b);
  if (x === null || y === null) return null;
  return compareParsedVersions(x, y, scheme);
}

/**
 * Exact-version match for "reported affected" lists: same order position and, when the listed
 * version names a channel, the same channel (advisories.md §4 rule 3: "match it exactly").
 * Null when either side is unknown.
 */
export function firmwareVersionMatches(deviceVersion: string, listed: string, scheme: VersionScheme = 'default'): boolean | null {
  const x = parseFirmwareVersion(deviceVersion);
  const y = parseFirmwareVersion(listed);
  if (x === null || y === null) return null;
  if (compareParsedVersions(x, y, scheme) !== 0) return false;
  return y.tag === '' || x.tag === y.tag;
}

/** The comparison scheme a model's `fw_ver` follows. */
export function versionSchemeForModel(model: string | null | undefined): VersionScheme {
  return typeof model === 'string' && /^(rockrobo|roborock)\.vacuum\./i.test(model) ? 'roborock' : 'default';
}
