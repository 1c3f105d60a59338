/**
 * Audit one discovered device: miIO handshake and `miIO.info` with the token the user has (or the
 * one the device leaked), ports and banners, ecosystem probes, then the pure checks. Every probe has
 * a deadline through `signal`; a probe that fails becomes data (an error the checks report), never a
 * thrown exception, so one broken device cannot stop the scan.
 */
import {
  familyForModel,
  matchToken,
  portsForFamily,
  runChecks,
  toPortObservation,
  type AdvisoryDatabase,
  type DeviceAuditContext,
  type EcosystemObservations,
  type HelloResult,
  type InfoResult,
  type MiioInfo,
  type PortObservation,
  type PortResult,
  type Token,
  type TokenEntry,
} from '@xmscan/miio-probe';
import type { CheckRun, DeviceReport, DeviceSecrets, Finding, FirmwareInfo, OpenPort, TokenState } from '@xmscan/report';
import type { DeviceRecord } from '../discovery/merge.js';
import type { Logger } from '../discovery/source.js';
import type { MiioSessionResult, ScanProbes } from './probes.js';

export interface AuditSettings {
  probes: ScanProbes;
  tokens: readonly TokenEntry[];
  advisories: AdvisoryDatabase;
  /** Extra TCP ports from `--ports`. */
  extraPorts: readonly number[];
  miioTimeoutMs: number;
  miioRetries: number;
  probeTimeoutMs: number;
  connectTimeoutMs: number;
  bannerTimeoutMs: number;
  logger: Logger;
}

export interface DeviceAudit {
  device: DeviceReport;
  /** Raw secrets for `--show-secrets` only; the report itself holds fingerprints and masks. */
  secrets: DeviceSecrets;
  runs: CheckRun[];
  findings: Finding[];
}

const MIIO_SERVICE = '_miio._udp';

/** The `miIO.info` fields in the shape the checks read (protocols.md §3 names). */
function infoForChecks(info: MiioInfo): InfoResult {
  const value: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) value[k] = v;
  };
  put('model', info.model);
  put('fw_ver', info.fwVer);
  put('hw_ver', info.hwVer);
  put('mac', info.mac);
  put('wifi_fw_ver', info.wifiFwVer);
  put('mcu_fw_ver', info.mcuFwVer);
  put('miio_ver', info.miioVer);
  put('ap', info.ap);
  put('netif', info.netif);
  put('life', info.life);
  put('ot', info.ot);
  return { ok: true, value: value as Partial<NonNullable<Extract<InfoResult, { ok: true }>>['value']> };
}

const isRejected = (code: string) => code === 'MIIO_ERR_TOKEN_REJECTED' || code === 'MIIO_ERR_CHECKSUM';

export async function auditDevice(
  record: DeviceRecord,
  initialPorts: Promise<PortResult[]>,
  settings: AuditSettings,
  signal: AbortSignal,
): Promise<DeviceAudit | null> {
  const ip = record.ip;
  if (ip === null) return null;
  const log = settings.logger;
  const services = record.services;
  const supplied = matchToken(settings.tokens, { deviceId: record.deviceId ?? undefined, mac: record.mac ?? undefined, ip });
  const speaksMiio =
    record.hello !== null ||
    record.sources.some((s) => s === 'hello-sweep' || s === 'hello-broadcast') ||
    services.some((s) => s.type.startsWith(MIIO_SERVICE)) ||
    supplied !== undefined;

  // The probe port promises never to throw; a broken or hostile one still costs only this device: its
  // throw becomes a failed handshake (reported as a check error), never an aborted scan.
  const miioProbe = async (options: Parameters<ScanProbes['miio']>[0]): Promise<MiioSessionResult> => {
    try {
      return await settings.probes.miio(options);
    } catch (err) {
      log.warn({ ip, err: (err as Error).message }, 'miIO probe threw');
      const e = err as { code?: unknown; message?: unknown };
      return { handshake: { ok: false, error: { code: typeof e.code === 'string' ? e.code : 'SCAN_ERR_PROBE', message: typeof e.message === 'string' ? e.message : String(err) } } };
    }
  };

  // miIO: the user's token first; then the token the hello reply leaked, to confirm the exposure.
  const miioTask = (async () => {
    if (!speaksMiio) return null;
    const base = { address: ip, timeoutMs: settings.miioTimeoutMs, retries: settings.miioRetries, signal };
    const first = await miioProbe({ ...base, token: supplied?.token });
    const leaked: Token | null = (first.handshake.ok ? first.handshake.value.token : null) ?? record.hello?.token ?? null;
    let exposed: MiioSessionResult | null = null;
    // The supplied token is the leaked one: its session already answered (or not); a second would only double the wait.
    if (leaked !== null && !(supplied && supplied.token.equals(leaked) && first.info)) {
      exposed = await miioProbe({ ...base, token: leaked });
    }
    return { first, leaked, exposed };
  })();

  const portsTask = (async () => {
    const initial = await initialPorts;
    // The family profile may add ports once the model is known (e.g. a camera's 8554).
    const probed = new Set(initial.map((p) => p.port));
    const extra = portsForFamily(familyForModel(record.model)).filter((p) => !probed.has(p));
    if (extra.length === 0 || signal.aborted) return initial;
    const more = await settings.probes
      .ports({ ip, ports: extra, connectTimeoutMs: settings.connectTimeoutMs, bannerTimeoutMs: settings.bannerTimeoutMs, signal })
      .catch((err: unknown) => {
        log.warn({ ip, err: (err as Error).message }, 'port probe failed');
        return [] as PortResult[];
      });
    return [...initial, ...more];
  })();

  const [miio, portResults] = await Promise.all([miioTask, portsTask]);
  const openTcp = portResults.filter((p) => p.open);
  const isOpen = (port: number) => openTcp.some((p) => p.port === port);

  // Info: from the supplied token when it worked, else from the leaked one.
  let infoResult: InfoResult;
  let info: MiioInfo | null = null;
  let suppliedValid: boolean | null = null;
  let exposedConfirmed: boolean | null = null;
  if (miio !== null) {
    const { first, leaked, exposed } = miio;
    if (supplied && first.info) {
      if (first.info.ok) suppliedValid = true;
      // Only a reply that proves the token wrong counts as stale (a bare header or a checksum that does not
      // verify, protocols.md §1.10 case 2). Silence is ambiguous: wrong-token devices go quiet, but so do
      // devices that never answer miIO.info with the right token (Gen-1 vacuums offline, some hubs): unknown.
      else suppliedValid = isRejected(first.info.error.code) ? false : null;
    }
    if (leaked !== null) {
      if (exposed?.info) exposedConfirmed = exposed.info.ok ? true : isRejected(exposed.info.error.code) ? false : null;
      else if (supplied && supplied.token.equals(leaked) && first.info) {
        exposedConfirmed = first.info.ok ? true : isRejected(first.info.error.code) ? false : null;
      }
      // The leaked token decrypted miIO.info and the user's differs: the user's is certainly out of date.
      if (exposedConfirmed === true && supplied && suppliedValid === null && !supplied.token.equals(leaked)) suppliedValid = false;
    }
    const chosen = first.info?.ok ? first.info : exposed?.info?.ok ? exposed.info : (first.info ?? exposed?.info);
    if (chosen?.ok) {
      info = chosen.value;
      infoResult = infoForChecks(chosen.value);
    } else if (chosen) infoResult = { ok: false, error: { code: chosen.error.code, message: chosen.error.message } };
    // A token to try but no handshake (silence, junk, a crashed probe): miIO.info could not run, say why.
    else if (supplied && !first.handshake.ok) infoResult = { ok: false, error: { code: first.handshake.error.code, message: first.handshake.error.message } };
  }

  let hello: HelloResult | undefined;
  const hs = miio?.first.handshake;
  if (hs?.ok) hello = { ok: true, tokenField: hs.value.tokenField, tokenFingerprint: hs.value.token?.fingerprint ?? null, stamp: hs.value.stamp };
  else if (record.hello) {
    hello = { ok: true, tokenField: record.hello.tokenField, tokenFingerprint: record.hello.token?.fingerprint ?? null, stamp: record.hello.stamp };
  } else if (hs && !hs.ok) hello = { ok: false, error: hs.error };

  let model = info?.model ?? record.model;

  // Ecosystem probes (read-only queries, protocols.md §5), each with its own deadline.
  const ecosystem: EcosystemObservations = {};
  let routerSerial: string | undefined;
  const t = { signal, timeoutMs: settings.probeTimeoutMs };
  const eco: Promise<void>[] = [];
  if (record.yeelight !== null || isOpen(55443)) {
    const port = record.yeelight?.lanControl?.port ?? 55443;
    eco.push(
      settings.probes.yeelight({ ip, port, ...t }).then((r) => {
        ecosystem.yeelightLanControl = { open: r.ok, getPropAnswered: r.ok && r.value.deviceError === undefined };
      }),
    );
  }
  if (record.lumi !== null) {
    eco.push(
      settings.probes.lumi({ ip, ...(record.lumi.sid ? { sid: record.lumi.sid } : {}), ...t }).then((r) => {
        const v = r.ok ? r.value : {};
        const protoVersion = v.iam?.protoVersion ?? record.lumi?.protoVersion ?? undefined;
        ecosystem.lumiLan = { iam: true, readAnswered: v.read !== undefined, ...(protoVersion ? { protoVersion } : {}) };
      }),
    );
  }
  if (isOpen(80) && (record.xiaomiFamily !== null || (model ?? '').includes('router'))) {
    eco.push(
      settings.probes.router({ ip, port: 80, ...t }).then((r) => {
        if (!r.ok || (r.value.hardware === undefined && r.value.romversion === undefined)) return;
        routerSerial = r.value.serial?.reveal();
        // A router speaks no miIO: its own init_info is the best source of its model id (protocols.md §5.4).
        if (model === null && r.value.model !== undefined) model = r.value.model;
        ecosystem.routerInitInfo = {
          hardware: r.value.hardware ?? '',
          romversion: r.value.romversion ?? '',
          serialRedacted: r.value.serialMasked ?? null,
          inited: r.value.inited ?? true,
        };
      }),
    );
  }
  const valetudo = services.find((s) => s.type.startsWith('_valetudo._tcp'));
  if (valetudo) {
    eco.push(
      settings.probes.valetudo({ ip, ...(valetudo.port ? { port: valetudo.port } : {}), ...t }).then((r) => {
        ecosystem.valetudo = { version: (r.ok ? r.value.release : undefined) ?? valetudo.txt['version'] ?? null };
      }),
    );
  }
  await Promise.all(eco.map((p) => p.catch((err: unknown) => log.warn({ ip, err: (err as Error).message }, 'ecosystem probe failed'))));

  // UDP surfaces are reported only where their protocol answered (no blind UDP port scan).
  const udp: OpenPort[] = [];
  if (hello?.ok) udp.push({ port: 54321, protocol: 'udp', service: 'miio', banner: null });
  if (record.lumi !== null) {
    udp.push({ port: 4321, protocol: 'udp', service: 'lumi-discovery', banner: null });
    if (ecosystem.lumiLan?.readAnswered) udp.push({ port: 9898, protocol: 'udp', service: 'lumi-gateway', banner: null });
  }
  if (record.yeelight !== null) udp.push({ port: 1982, protocol: 'udp', service: 'yeelight-ssdp', banner: null });

  const ports: PortObservation[] = [
    ...openTcp.map(toPortObservation).filter((p): p is PortObservation => p !== null),
    ...udp.map((u): PortObservation => ({ port: u.port, protocol: 'udp', service: u.service, banner: null, open: true })),
  ];

  // What discovery knows about the device, shared by the checks' view and the report's.
  const identity = {
    ip,
    mac: record.mac,
    vendor: record.vendor,
    xiaomiFamily: record.xiaomiFamily,
    deviceId: record.deviceId,
    model,
    names: record.names,
    sources: record.sources,
  };
  const ctx: DeviceAuditContext = {
    device: {
      ...identity,
      mdns: services.map((s) => ({ type: s.type, name: s.name, txt: s.txt })),
      ...(record.yeelight
        ? {
            yeelight: {
              model: record.yeelight.model ?? '',
              fw_ver: record.yeelight.fwVer ?? '',
              support: record.yeelight.support,
              ...(record.yeelight.lanControl ? { lanControlPort: record.yeelight.lanControl.port } : {}),
            },
          }
        : {}),
      ...(record.lumi
        ? {
            lumi: {
              sid: record.lumi.sid ?? '',
              model: record.lumi.model ?? '',
              ...(record.lumi.protoVersion ? { proto_version: record.lumi.protoVersion } : {}),
              port: record.lumi.port ?? 9898,
            },
          }
        : {}),
    },
    ...(hello ? { hello } : {}),
    tokenProbe: { suppliedFingerprint: supplied?.token.fingerprint ?? null, suppliedValid, exposedConfirmed },
    ...(miio !== null && (supplied || miio.leaked) ? { info: infoResult } : {}),
    ports,
    portsScanned: true,
    ecosystem,
    advisories: settings.advisories,
  };
  const outcome = runChecks(ctx);

  const tokenState: TokenState =
    exposedConfirmed === true
      ? 'exposed-confirmed'
      : hello?.ok && hello.tokenField === 'exposed'
        ? 'exposed-unconfirmed'
        : hello?.ok
          ? 'hidden'
          : 'unknown';
  const firmware: FirmwareInfo | null = info
    ? { version: info.fwVer ?? null, hardware: info.hwVer ?? null, wifi: info.wifiFwVer ?? null, mcu: info.mcuFwVer ?? null }
    : record.firmware[0] || ecosystem.routerInitInfo
      ? { version: ecosystem.routerInitInfo?.romversion || record.firmware[0]?.version || null, hardware: ecosystem.routerInitInfo?.hardware || null, wifi: null, mcu: null }
      : null;

  const device: DeviceReport = {
    ...identity,
    firmware,
    token: {
      state: tokenState,
      supplied: supplied !== undefined,
      valid: suppliedValid,
      fingerprint: supplied?.token.fingerprint ?? (hello?.ok ? hello.tokenFingerprint : null),
    },
    openPorts: [...openTcp.map((p): OpenPort => ({ port: p.port, protocol: 'tcp', service: p.service, banner: p.banner })), ...udp],
    extras: {
      // SSID/BSSID identify the home: masked by default (reports issue), only the signal kept whole.
      ...(info?.ap ? { wifi: { ssid: maskText(info.ap.ssid), bssid: maskText(info.ap.bssid), rssi: info.ap.rssi ?? null } } : {}),
      ...(info?.ot ? { cloudLink: info.ot } : {}),
      ...(supplied ? { tokenSource: { format: supplied.source.format, matchedBy: supplied.matchedBy } } : {}),
      ...(ecosystem.routerInitInfo ? { router: ecosystem.routerInitInfo } : {}),
      ...(services.length > 0 ? { mdns: services.map((s) => ({ type: s.type, name: s.name, txt: s.txt, txtMalformed: s.txtMalformed })) } : {}),
      ...(record.conflicts.length > 0 ? { conflicts: record.conflicts.map((c) => ({ field: c.field, values: c.values.map((v) => v.value) })) } : {}),
    },
  };
  const secretToken =
    supplied && suppliedValid !== false ? supplied.token : (miio?.leaked ?? supplied?.token ?? null);
  const secrets: DeviceSecrets = { ip, deviceId: record.deviceId, mac: record.mac };
  if (secretToken) secrets.token = secretToken.revealHex();
  if (info?.ap?.ssid) secrets.wifiSsid = info.ap.ssid;
  if (info?.ap?.bssid) secrets.wifiBssid = info.ap.bssid;
  if (routerSerial) secrets.routerSerial = routerSerial;
  return { device, secrets, runs: outcome.runs, findings: outcome.findings };
}

/** Keep the first two and last character: enough to recognise, not enough to publish. */
export function maskText(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (value.length <= 3) return '*'.repeat(value.length);
  return value.slice(0, 2) + '*'.repeat(value.length - 3) + value.slice(-1);
}
