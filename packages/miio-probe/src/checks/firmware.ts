import { matchAdvisories, newestKnownVersion } from '../advisories/match.js';
import type { AdvisoryMatch, AdvisorySubject } from '../advisories/match.js';
import type { AdvisoryEcosystem } from '../advisories/types.js';
import { compareFirmwareVersions, parseFirmwareVersion } from '../advisories/version.js';
import { bestModel, openTcpPorts } from './device-kind.js';
import { infoError, isSilence, portsKnown } from './helpers.js';
import { REF } from './references.js';
import { createCheck } from './registry.js';
import { outcome, toFinding } from './result.js';
import type { Check, DeviceAuditContext } from './types.js';

/** Every identity + version the device revealed, per namespace (advisories.md §3.11, §4 rule 2). */
export function advisorySubject(ctx: DeviceAuditContext): AdvisorySubject {
  const info = ctx.info;
  const fw = info !== undefined && info.ok && typeof info.value.fw_ver === 'string' ? info.value.fw_ver : null;
  const router = ctx.ecosystem?.routerInitInfo;
  const aqaraMd = (ctx.device.mdns ?? []).map((r) => r?.txt?.['md']).find((v): v is string => typeof v === 'string' && v !== '');
  const subject: AdvisorySubject = {
    miioModel: router === undefined ? bestModel(ctx) : null,
    miioFirmware: router === undefined ? fw : null,
    routerHardware: router?.hardware ?? null,
    routerRomVersion: router?.romversion ?? null,
    yeelightModel: ctx.device.yeelight?.model ?? null,
    yeelightFirmware: ctx.device.yeelight?.fw_ver ?? null,
    aqaraMd: aqaraMd ?? null,
  };
  if (portsKnown(ctx)) subject.openTcpPorts = openTcpPorts(ctx);
  return subject;
}

function hasIdentity(s: AdvisorySubject): boolean {
  return [s.miioModel, s.routerHardware, s.yeelightModel, s.aqaraMd].some((v) => typeof v === 'string' && v.trim() !== '');
}

function label(m: AdvisoryMatch): string {
  return m.advisory.aliases[0] ?? m.advisory.id;
}

function affectedText(m: AdvisoryMatch): string {
  const ds = m.affected.database_specific;
  if (ds.as_written !== undefined) return ds.as_written;
  if (m.affected.versions !== undefined) return 'reported: ' + m.affected.versions.join(', ');
  const parts: string[] = [];
  for (const r of m.affected.ranges ?? []) {
    for (const e of r.events) {
      if (e.introduced !== undefined && e.introduced !== '0') parts.push(`≥ ${e.introduced}`);
      if (e.last_affected !== undefined) parts.push(`≤ ${e.last_affected}`);
      if (e.fixed !== undefined) parts.push(`< ${e.fixed}`);
    }
  }
  return parts.length > 0 ? parts.join(', ') : 'all versions';
}

/** One finding per matching advisory (advisories.md §1, §4). Unknown versions: "may be affected". */
export const firmwareAdvisory: Check = createCheck(
  {
    id: 'firmware-advisory',
    title: 'Firmware affected by a published advisory',
    severity: 'high',
    description:
      'The device model and firmware version match a known vulnerability (CVE or a documented community finding). When the version could not be read, or the advisory gives no version range, the finding says "may be affected" and has lower confidence.',
    remediation: 'Update the device firmware from its app (Mi Home, Aqara Home, the router web page). If no update fixes it, keep the device on a separate network.',
    references: [REF.cveRecordsXiaomi, REF.xmirGateway],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (ctx.advisories === undefined || !Array.isArray(ctx.advisories.advisories)) {
      return o.error('MIIO_ERR_CHECK_NO_ADVISORIES', 'no advisory database in the audit context');
    }
    const subject = advisorySubject(ctx);
    if (!hasIdentity(subject)) return o.skipped('model unknown: no miIO model, router hardware, Yeelight or Aqara identity');
    const matches = matchAdvisories(ctx.advisories, subject);
    const version = subject.miioFirmware ?? subject.routerRomVersion ?? null;
    const who = subject.routerHardware ?? subject.miioModel ?? subject.yeelightModel ?? subject.aqaraMd ?? '?';
    if (matches.length === 0) {
      return o.pass(version !== null ? `no advisory matches ${who} firmware ${version}` : `no advisory names ${who}`);
    }
    const findings = matches.map((m) => {
      const id = label(m);
      const summary = m.advisory.summary.length > 110 ? m.advisory.summary.slice(0, 109) + '…' : m.advisory.summary;
      return toFinding(
        meta,
        ctx,
        {
          advisory: m.advisory.id,
          aliases: [...m.advisory.aliases],
          sourceId: m.advisory.database_specific.source_id,
          ecosystem: m.ecosystem,
          model: m.identity,
          firmware: m.version,
          verdict: m.verdict,
          reason: m.reason,
          affectedVersions: affectedText(m),
          modelVerified: m.affected.database_specific.model_verified,
          lanAttacker: m.advisory.database_specific.lan_attacker,
          severityBasis: m.advisory.database_specific.severity.basis,
          cvss: m.advisory.database_specific.severity.cvss_v3 ?? null,
        },
        {
          severity: m.severity,
          title: m.verdict === 'affected' ? `${id}: ${summary}` : `May be affected by ${id}: ${summary}`,
          remediation: m.advisory.database_specific.remediation,
          references: m.advisory.references.map((r) => r.url),
          confidence: m.confidence,
          subject: m.advisory.id,
        },
      );
    });
    const err = infoError(ctx);
    const note = err !== null && !isSilence(err) ? ` (miIO.info failed: ${err.code})` : '';
    return o.fail(findings, `${matches.length} advisor${matches.length === 1 ? 'y' : 'ies'} match ${who}${note}`);
  },
);

function shownVersion(v: string, scheme: 'default' | 'roborock'): string {
  // Roborock thresholds are build numbers stored as `0_<build>`; show them as the community does.
  const p = parseFirmwareVersion(v);
  return scheme === 'roborock' && p !== null && p.core.every((n) => n === 0) ? `build ${p.build.join('.')}` : v;
}

/**
 * advisories.md §3.10: no Xiaomi/Aqara/Roborock IoT end-of-life policy was found, so we never say
 * "EOL". We say only "older than the newest version our advisory data mentions for this model" (info).
 */
export const firmwareOlderThanKnown: Check = createCheck(
  {
    id: 'firmware-older-than-known',
    title: 'Firmware older than versions known for this model',
    severity: 'info',
    description:
      'Our advisory data mentions a newer firmware version for this model (a fixed version or a later reported one). This is a hint to look for updates, not proof of a vulnerability; no end-of-life claim is made without a source.',
    remediation: 'Check for a firmware update in the device app and install it.',
    references: [REF.valetudoRoborock, REF.cveRecordsXiaomi],
  },
  (ctx, meta) => {
    const o = outcome(meta, ctx);
    if (ctx.advisories === undefined || !Array.isArray(ctx.advisories.advisories)) {
      return o.error('MIIO_ERR_CHECK_NO_ADVISORIES', 'no advisory database in the audit context');
    }
    const s = advisorySubject(ctx);
    let eco: AdvisoryEcosystem;
    let who: string | null | undefined;
    let version: string | null | undefined;
    if (typeof s.routerHardware === 'string' && s.routerHardware !== '') {
      [eco, who, version] = ['x-miwifi-hardware', s.routerHardware, s.routerRomVersion];
    } else {
      [eco, who, version] = ['x-miio', s.miioModel, s.miioFirmware];
    }
    if (typeof who !== 'string' || who === '') return o.skipped('model unknown');
    if (typeof version !== 'string' || version === '') {
      const err = infoError(ctx);
      if (err !== null && !isSilence(err)) return o.error(err.code, err.message);
      if (err !== null) return o.skipped(`firmware version unknown: miIO.info did not answer (${err.code})`);
      return o.skipped('firmware version unknown (reading it needs the device token)');
    }
    const newest = newestKnownVersion(ctx.advisories, eco, who);
    if (newest === null) return o.skipped(`our advisory data has no versions for ${who}`);
    const c = compareFirmwareVersions(version, newest.version, newest.scheme);
    if (c === null) return o.skipped(`firmware ${version} cannot be compared with ${shownVersion(newest.version, newest.scheme)}`);
    if (c >= 0) return o.pass(`firmware ${version} is not older than ${shownVersion(newest.version, newest.scheme)}`);
    return o.fail(
      [
        toFinding(
          meta,
          ctx,
          { model: who, firmware: version, newerKnown: shownVersion(newest.version, newest.scheme), from: newest.advisoryId, scheme: newest.scheme },
          { confidence: 'certain', title: `Firmware ${version} is older than ${shownVersion(newest.version, newest.scheme)}, known for ${who}` },
        ),
      ],
      'older than a version in the advisory data',
    );
  },
);
