/**
 * SARIF 2.1.0 writer (OASIS SARIF v2.1.0; validated in tests against the official JSON Schema).
 * Rules come from check metadata: an optional `rules` list (the registry's CheckMeta, passed by the
 * caller: this package does not import the checks), else derived from the findings themselves.
 * Each result names its device twice: a logical location (`kind: "device"`) and an artifact URI
 * `xmscan://device/<ip>`, since SARIF locations are file-shaped and a device is not a file.
 */
import { createHash } from 'node:crypto';
import type { CheckMeta, Finding, ScanReport, SuppressedFinding } from '../schema.js';
import type { Severity } from '../severity.js';
import type { ReportWriter } from './types.js';
import { writeChunk } from './types.js';

export interface SarifWriterOptions {
  /** Check metadata for `tool.driver.rules`; checks without an entry get a rule derived from their findings. */
  rules?: readonly CheckMeta[];
  /** `tool.driver.informationUri`. */
  informationUri?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF has three result levels; critical and high are errors, medium a warning, low and info notes. */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * `security-severity` (0.0–10.0) as GitHub code scanning reads it: ≥9 critical, 7–8.9 high,
 * 4–6.9 medium, 0.1–3.9 low. Info maps to 0.0 ("none").
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** `xmscan://device/<ip>`: the IP with anything outside a URI path segment percent-encoded (IPv6 zone ids). */
export function deviceUri(ip: string): string {
  return 'xmscan://device/' + ip.replace(/[^A-Za-z0-9.:\-]/g, (c) => encodeURIComponent(c));
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help: { text: string; markdown?: string };
  helpUri?: string;
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { 'security-severity': string; tags: string[]; references: string[] };
}

/** PascalCase of a kebab-case check id: SARIF's `name` is meant to be an identifier. */
const ruleName = (id: string): string => id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

function ruleFromMeta(m: CheckMeta): SarifRule {
  const refs = [...m.references];
  return {
    id: m.id,
    name: ruleName(m.id),
    shortDescription: { text: m.title },
    fullDescription: { text: m.description },
    help: { text: m.remediation },
    ...(refs[0] !== undefined ? { helpUri: refs[0] } : {}),
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[m.severity], tags: ['security'], references: refs },
  };
}

/** A rule from the findings of one check: the title if they all share one, the most severe level. */
function ruleFromFindings(id: string, findings: readonly Finding[]): SarifRule {
  const titles = new Set(findings.map((f) => f.title));
  const remediations = new Set(findings.map((f) => f.remediation));
  const order: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
  const worst = findings.reduce<Severity>((w, f) => (order.indexOf(f.severity) > order.indexOf(w) ? f.severity : w), 'info');
  const refs = [...new Set(findings.flatMap((f) => f.references))];
  const first = findings[0];
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: titles.size === 1 && first !== undefined ? first.title : id },
    help: { text: remediations.size === 1 && first !== undefined ? first.remediation : 'See each result.' },
    ...(refs[0] !== undefined ? { helpUri: refs[0] } : {}),
    defaultConfiguration: { level: LEVEL[worst] },
    properties: { 'security-severity': SECURITY_SEVERITY[worst], tags: ['security'], references: refs },
  };
}

/** A stable identity of one finding across scans: check, device (id, else MAC, else IP), subject. */
function findingFingerprint(f: Finding): string {
  const device = f.deviceId !== null ? 'did:' + f.deviceId : f.mac ? 'mac:' + f.mac.toLowerCase() : 'ip:' + f.ip;
  return createHash('sha256').update(`${f.checkId}\u0000${device}\u0000${f.subject ?? ''}`).digest('hex').slice(0, 24);
}

/** The SARIF log as a plain object (for tests and embedding); `renderSarif` serialises it. */
export function toSarif(report: ScanReport, options: SarifWriterOptions = {}): Record<string, unknown> {
  const suppressed: readonly SuppressedFinding[] = report.suppressed ?? [];
  const all: Array<{ f: Finding; suppression?: SuppressedFinding }> = [
    ...report.findings.map((f) => ({ f })),
    ...suppressed.map((s) => ({ f: s.finding, suppression: s })),
  ];
  const byCheck = new Map<string, Finding[]>();
  for (const { f } of all) {
    const list = byCheck.get(f.checkId);
    if (list === undefined) byCheck.set(f.checkId, [f]);
    else list.push(f);
  }
  const meta = new Map((options.rules ?? []).map((m) => [m.id, m]));
  // Rules for every check that has a result, in first-seen order; given metadata wins over derived.
  const rules = [...byCheck.entries()].map(([id, fs]) => {
    const m = meta.get(id);
    return m !== undefined ? ruleFromMeta(m) : ruleFromFindings(id, fs);
  });
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const devices = new Map(report.devices.map((d) => [d.deviceId !== null ? 'did:' + d.deviceId : 'ip:' + d.ip, d]));

  const results = all.map(({ f, suppression }) => {
    const d = devices.get(f.deviceId !== null ? 'did:' + f.deviceId : 'ip:' + f.ip);
    const deviceName = [f.ip, d?.model ?? null, f.deviceId !== null ? 'did ' + f.deviceId : null].filter((x) => x !== null).join(' ');
    return {
      ruleId: f.checkId,
      ruleIndex: ruleIndex.get(f.checkId) ?? 0,
      level: LEVEL[f.severity],
      message: { text: `${f.title} (${deviceName}). ${f.remediation}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: deviceUri(f.ip) } },
          logicalLocations: [
            {
              name: f.ip,
              fullyQualifiedName: f.deviceId !== null ? `device/did:${f.deviceId}` : `device/ip:${f.ip}`,
              kind: 'device',
            },
          ],
        },
      ],
      partialFingerprints: { 'xmscanFinding/v1': findingFingerprint(f) },
      ...(suppression !== undefined
        ? { suppressions: [{ kind: 'external', justification: suppression.reason }] }
        : {}),
      properties: {
        severity: f.severity,
        'security-severity': SECURITY_SEVERITY[f.severity],
        ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
        ...(f.subject !== undefined ? { subject: f.subject } : {}),
        deviceId: f.deviceId,
        ...(f.mac ? { mac: f.mac } : {}),
        ...(d?.model ? { model: d.model } : {}),
        evidence: f.evidence,
        references: [...f.references],
      },
    };
  });

  const notifications = [
    ...(report.warnings ?? []).map((w) => ({ level: 'warning', message: { text: w.message }, descriptor: { id: w.code }, ...(w.ip ? { locations: [{ physicalLocation: { artifactLocation: { uri: deviceUri(w.ip) } } }] } : {}) })),
    ...report.checks
      .filter((r) => r.status === 'error')
      .map((r) => ({
        level: 'warning',
        message: { text: `could not test ${r.checkId} on ${r.ip}: ${r.error ? `${r.error.code}: ${r.error.message}` : (r.reason ?? 'error')}` },
        associatedRule: { id: r.checkId },
        locations: [{ physicalLocation: { artifactLocation: { uri: deviceUri(r.ip) } } }],
      })),
  ];

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            ...(options.informationUri !== undefined ? { informationUri: options.informationUri } : {}),
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.incomplete !== true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
        properties: {
          schemaVersion: report.schemaVersion,
          devices: report.summary.devices,
          findingsBySeverity: report.summary.findingsBySeverity,
          checksByStatus: report.summary.checksByStatus,
          ...(report.incomplete !== undefined ? { incomplete: report.incomplete } : {}),
          ...(report.secretsShown === true ? { secretsShown: true } : {}),
        },
      },
    ],
  };
}

/** SARIF as pretty JSON with a trailing newline. */
export function renderSarif(report: ScanReport, options: SarifWriterOptions = {}): string {
  return JSON.stringify(toSarif(report, options), null, 2) + '\n';
}

export function createSarifWriter(options: SarifWriterOptions = {}): ReportWriter {
  return { write: (report, out) => writeChunk(out, renderSarif(report, options)) };
}

/** Rules derived from the findings; pass `rules` through `createSarifWriter` for full metadata. */
export const sarifWriter: ReportWriter = createSarifWriter();
