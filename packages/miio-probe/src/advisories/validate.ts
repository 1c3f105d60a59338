import { AdvisoryError } from './errors.js';
import { ADVISORY_ECOSYSTEMS, SOURCE_CONFIDENCES } from './types.js';
import type { Advisory, AdvisoryDatabase, AffectedEntry, RangeEvent } from './types.js';
import { parseFirmwareVersion } from './version.js';

const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const;
const ID_RX = /^XMSA-\d{4,}$/;
const URL_RX = /^https?:\/\/[^\s]+$/;

type Obj = Record<string, unknown>;

class Checker {
  constructor(readonly source: string) {}
  fail(path: string, what: string): never {
    throw new AdvisoryError('MIIO_ERR_ADVISORY_INVALID', `${this.source}: ${path} ${what}`, { source: this.source });
  }
  obj(v: unknown, path: string): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as Obj;
  }
  str(v: unknown, path: string, opts: { empty?: boolean } = {}): string {
    if (typeof v !== 'string' || (!opts.empty && v.trim() === '')) this.fail(path, 'must be a non-empty string');
    return v;
  }
  optStr(v: unknown, path: string): string | undefined {
    return v === undefined ? undefined : this.str(v, path, { empty: true });
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array');
    return v;
  }
  oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) this.fail(path, `must be one of ${allowed.join(', ')}`);
    return v as T;
  }
  version(v: unknown, path: string): string {
    const s = this.str(v, path);
    // "0" is OSV's "from the beginning"; anything else must be comparable or the range is useless.
    if (s !== '0' && parseFirmwareVersion(s) === null) this.fail(path, `is not a comparable firmware version (${JSON.stringify(s)})`);
    return s;
  }
}

function parseAffected(c: Checker, v: unknown, path: string): AffectedEntry {
  const o = c.obj(v, path);
  const pkg = c.obj(o['package'], `${path}.package`);
  const ecosystem = c.oneOf(pkg['ecosystem'], ADVISORY_ECOSYSTEMS, `${path}.package.ecosystem`);
  const name = c.str(pkg['name'], `${path}.package.name`);
  const ds = c.obj(o['database_specific'], `${path}.database_specific`);
  if (typeof ds['model_verified'] !== 'boolean') c.fail(`${path}.database_specific.model_verified`, 'must be a boolean');
  const scheme = c.oneOf(ds['version_scheme'], ['default', 'roborock'] as const, `${path}.database_specific.version_scheme`);
  const sourceConfidence = c.oneOf(ds['source_confidence'], SOURCE_CONFIDENCES, `${path}.database_specific.source_confidence`);
  const entry: AffectedEntry = {
    package: { ecosystem, name },
    database_specific: {
      model_verified: ds['model_verified'] as boolean,
      version_scheme: scheme,
      source_confidence: sourceConfidence,
    },
  };
  const eds = entry.database_specific;
  if (ds['versions_unknown'] !== undefined) {
    if (typeof ds['versions_unknown'] !== 'boolean') c.fail(`${path}.database_specific.versions_unknown`, 'must be a boolean');
    eds.versions_unknown = ds['versions_unknown'];
  }
  for (const k of ['date_cutoff', 'as_written', 'fixed_note', 'product', 'model_note', 'confidence_note'] as const) {
    const s = c.optStr(ds[k], `${path}.database_specific.${k}`);
    if (s !== undefined) eds[k] = s;
  }
  if (ds['reported_not_affected'] !== undefined) {
    eds.reported_not_affected = c.arr(ds['reported_not_affected'], `${path}.database_specific.reported_not_affected`).map((x, i) => c.str(x, `${path}.database_specific.reported_not_affected[${i}]`));
  }
  if (o['ranges'] !== undefined) {
    entry.ranges = c.arr(o['ranges'], `${path}.ranges`).map((r, i) => {
      const ro = c.obj(r, `${path}.ranges[${i}]`);
      c.oneOf(ro['type'], ['ECOSYSTEM'] as const, `${path}.ranges[${i}].type`);
      const events = c.arr(ro['events'], `${path}.ranges[${i}].events`).map((e, j) => {
        const eo = c.obj(e, `${path}.ranges[${i}].events[${j}]`);
        const keys = Object.keys(eo);
        if (keys.length !== 1 || !['introduced', 'fixed', 'last_affected'].includes(keys[0] ?? '')) {
          c.fail(`${path}.ranges[${i}].events[${j}]`, 'must have exactly one of introduced, fixed, last_affected');
        }
        const key = keys[0] as keyof RangeEvent;
        return { [key]: c.version(eo[key], `${path}.ranges[${i}].events[${j}].${key}`) } as RangeEvent;
      });
      if (events.length === 0 || events[0]?.introduced === undefined) c.fail(`${path}.ranges[${i}].events`, 'must start with an introduced event');
      return { type: 'ECOSYSTEM' as const, events };
    });
  }
  if (o['versions'] !== undefined) {
    entry.versions = c.arr(o['versions'], `${path}.versions`).map((x, i) => c.version(x, `${path}.versions[${i}]`));
  }
  const hasData = (entry.ranges?.length ?? 0) > 0 || (entry.versions?.length ?? 0) > 0;
  if (!hasData && eds.versions_unknown !== true) c.fail(path, 'needs ranges, versions, or database_specific.versions_unknown: true');
  if (hasData && eds.versions_unknown === true) c.fail(path, 'has versions but says versions_unknown');
  return entry;
}

/**
 * Validate one record (parsed JSON) and return it typed. Throws `AdvisoryError`
 * (`MIIO_ERR_ADVISORY_INVALID`) naming the file and the JSON path of the first problem.
 */
export function parseAdvisory(value: unknown, source = 'advisory'): Advisory {
  const c = new Checker(source);
  const o = c.obj(value, '$');
  const id = c.str(o['id'], 'id');
  if (!ID_RX.test(id)) c.fail('id', 'must look like XMSA-0001');
  const ds = c.obj(o['database_specific'], 'database_specific');
  const sev = c.obj(ds['severity'], 'database_specific.severity');
  const references = c.arr(o['references'], 'references').map((r, i) => {
    const ro = c.obj(r, `references[${i}]`);
    const url = c.str(ro['url'], `references[${i}].url`);
    if (!URL_RX.test(url)) c.fail(`references[${i}].url`, 'must be an http(s) URL');
    return { type: c.str(ro['type'], `references[${i}].type`), url };
  });
  if (references.length === 0) c.fail('references', 'must not be empty (every record cites its sources)');
  const advisory: Advisory = {
    schema_version: c.str(o['schema_version'], 'schema_version'),
    id,
    modified: c.str(o['modified'], 'modified'),
    published: c.str(o['published'], 'published'),
    aliases: c.arr(o['aliases'], 'aliases').map((a, i) => c.str(a, `aliases[${i}]`)),
    summary: c.str(o['summary'], 'summary'),
    details: c.str(o['details'], 'details', { empty: true }),
    severity: c.arr(o['severity'], 'severity').map((s, i) => {
      const so = c.obj(s, `severity[${i}]`);
      return { type: c.str(so['type'], `severity[${i}].type`), score: c.str(so['score'], `severity[${i}].score`) };
    }),
    affected: c.arr(o['affected'], 'affected').map((a, i) => parseAffected(c, a, `affected[${i}]`)),
    references,
    database_specific: {
      source_id: c.str(ds['source_id'], 'database_specific.source_id'),
      kind: c.oneOf(ds['kind'], ['advisory', 'exposure-check'] as const, 'database_specific.kind'),
      category: c.str(ds['category'], 'database_specific.category'),
      severity: {
        level: c.oneOf(sev['level'], LEVELS, 'database_specific.severity.level'),
        as_written: c.str(sev['as_written'], 'database_specific.severity.as_written'),
        basis: c.str(sev['basis'], 'database_specific.severity.basis'),
      },
      lan_attacker: c.str(ds['lan_attacker'], 'database_specific.lan_attacker'),
      detection: c.str(ds['detection'], 'database_specific.detection'),
      remediation: c.str(ds['remediation'], 'database_specific.remediation'),
      reference_notes: c.arr(ds['reference_notes'], 'database_specific.reference_notes').map((n, i) => {
        const no = c.obj(n, `database_specific.reference_notes[${i}]`);
        if (typeof no['read'] !== 'boolean') c.fail(`database_specific.reference_notes[${i}].read`, 'must be a boolean');
        const note = c.optStr(no['note'], `database_specific.reference_notes[${i}].note`);
        return {
          url: c.str(no['url'], `database_specific.reference_notes[${i}].url`),
          source_type: c.str(no['source_type'], `database_specific.reference_notes[${i}].source_type`),
          read: no['read'] as boolean,
          ...(note !== undefined ? { note } : {}),
        };
      }),
    },
  };
  if (advisory.affected.length === 0) c.fail('affected', 'must not be empty');
  const ads = advisory.database_specific;
  const cvss = c.optStr(sev['cvss_v3'], 'database_specific.severity.cvss_v3');
  if (cvss !== undefined) ads.severity.cvss_v3 = cvss;
  const notes = c.optStr(ds['notes'], 'database_specific.notes');
  if (notes !== undefined) ads.notes = notes;
  if (ds['finding_severity'] !== undefined) ads.finding_severity = c.oneOf(ds['finding_severity'], LEVELS, 'database_specific.finding_severity');
  if (ds['requires_open_tcp'] !== undefined) {
    ads.requires_open_tcp = c.arr(ds['requires_open_tcp'], 'database_specific.requires_open_tcp').map((p, i) => {
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) c.fail(`database_specific.requires_open_tcp[${i}]`, 'must be a TCP port');
      return p as number;
    });
  }
  // Every reference keeps its research note: the two lists must describe the same URLs.
  const noteUrls = new Set(ads.reference_notes.map((n) => n.url));
  for (const r of references) if (!noteUrls.has(r.url)) c.fail('database_specific.reference_notes', `has no entry for ${r.url}`);
  return advisory;
}

/**
 * Build the lookup index; throws `MIIO_ERR_ADVISORY_DUPLICATE` when an id, alias or source id
 * would point at two different records.
 */
export function createAdvisoryDatabase(advisories: readonly Advisory[]): AdvisoryDatabase {
  const index = new Map<string, Advisory>();
  const ids = new Set<string>();
  for (const a of advisories) {
    if (ids.has(a.id)) throw new AdvisoryError('MIIO_ERR_ADVISORY_DUPLICATE', `duplicate advisory id ${a.id}`, { source: a.id });
    ids.add(a.id);
  }
  for (const a of advisories) {
    for (const key of new Set([a.id, ...a.aliases, a.database_specific.source_id])) {
      const prev = index.get(key);
      if (prev !== undefined && prev !== a) {
        throw new AdvisoryError('MIIO_ERR_ADVISORY_DUPLICATE', `${key} names both ${prev.id} and ${a.id}`, { source: a.id });
      }
      index.set(key, a);
    }
  }
  const sorted = [...advisories].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { advisories: sorted, index };
}

/** Look a record up by `XMSA-` id, CVE alias or research id (`x_EXPOSE-…`). */
export function findAdvisory(db: AdvisoryDatabase, key: string): Advisory | undefined {
  return db.index.get(key);
}
