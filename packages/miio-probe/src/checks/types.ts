/**
 * Checks are data plus a pure function (style.md §7 items 9-10): static `CheckMeta` kept apart from
 * the per-device `CheckRun` + `Finding`s a run produces from a `DeviceAuditContext`. No I/O, no
 * clock: the scanner probes first and hands the results in.
 */
import type { CheckMeta, CheckRun, Confidence, Finding, Severity, XiaomiFamily } from '@xmscan/report';
import type { AdvisoryDatabase } from '../advisories/types.js';

export type { CheckMeta, CheckRun, Confidence, Finding, Severity } from '@xmscan/report';

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface MdnsRecord {
  /** Service type, e.g. `_miio._udp`, `_valetudo._tcp`, `_aqara._tcp`. */
  type: string;
  /** Instance name (device-supplied). */
  name: string;
  txt: Readonly<Record<string, string>>;
}

export interface AuditDevice {
  ip: string;
  mac: string | null;
  vendor: string | null;
  xiaomiFamily: XiaomiFamily | null;
  /** miIO device id, decimal string. */
  deviceId: string | null;
  /** Best known model id (miIO model, router model, …). */
  model: string | null;
  names: readonly string[];
  sources: readonly string[];
  mdns?: readonly MdnsRecord[];
  /** Yeelight SSDP answer (protocols.md §5.1). `fw_ver` is an integer string in its own namespace. */
  yeelight?: { model: string; fw_ver: string; support: readonly string[]; lanControlPort?: number };
  /** Lumi gateway `iam` (protocols.md §5.3). */
  lumi?: { sid: string; model: string; proto_version?: string; port: number };
}

/** Hello handshake outcome (protocols.md §1.4, §2). `tokenFingerprint` only when the field was exposed. */
export type HelloResult =
  | { ok: true; tokenField: 'hidden' | 'exposed'; tokenFingerprint: string | null; stamp: number }
  | { ok: false; error: ErrorInfo };

export interface TokenProbeResult {
  /** Fingerprint of the token the user supplied; null when none. */
  suppliedFingerprint: string | null;
  /** The supplied token decrypted a `miIO.info` reply (true), did not (false), or was not tried (null). */
  suppliedValid: boolean | null;
  /** The token exposed in the hello reply worked for `miIO.info` (true), did not (false), not tried (null). */
  exposedConfirmed: boolean | null;
}

/** The `miIO.info` fields checks use (protocols.md §3). */
export interface AuditMiioInfo {
  model: string;
  fw_ver: string;
  hw_ver: string;
  mac: string;
  wifi_fw_ver: string;
  mcu_fw_ver: string;
  miio_ver: string;
  ap?: { ssid: string; bssid: string; rssi: number };
  netif?: { localIp: string; mask: string; gw: string };
  life: number;
  /** Cloud transport: `otu` (UDP) / `ott` (TCP); absent or `none` = no cloud link. */
  ot: string;
}

/** `undefined` = not attempted (no token). */
export type InfoResult = { ok: true; value: Partial<AuditMiioInfo> } | { ok: false; error: ErrorInfo } | undefined;

export interface PortDetails {
  /** MQTT CONNACK return code to a CONNECT without credentials (0 = accepted). */
  mqttConnack?: number;
  httpStatus?: number;
  httpServer?: string;
  httpTitle?: string;
  /** RTSP DESCRIBE without credentials: true = 401 (auth on), false = answered with SDP. */
  rtspAuth?: boolean;
  telnetLoginPrompt?: boolean;
  sshVersion?: string;
}

export interface PortObservation {
  port: number;
  protocol: 'tcp' | 'udp';
  service: string | null;
  /** Device-supplied text (sanitised only by writers). */
  banner: string | null;
  open: true;
  details?: PortDetails;
}

export interface EcosystemObservations {
  yeelightLanControl?: { open: boolean; getPropAnswered: boolean };
  lumiLan?: { iam: boolean; readAnswered: boolean; protoVersion?: string };
  /** Router `init_info` (protocols.md §5.4); the serial is already redacted by the probe. */
  routerInitInfo?: { hardware: string; romversion: string; serialRedacted: string | null; inited: boolean };
  valetudo?: { version: string | null };
}

/** Everything a check may look at for one device. Pure data: no sockets, no clock. */
export interface DeviceAuditContext {
  device: AuditDevice;
  /** Absent: no hello was attempted. */
  hello?: HelloResult;
  tokenProbe?: TokenProbeResult;
  info?: InfoResult;
  /** Open ports only (closed ones are absent). Empty when scanned and nothing is open. */
  ports: readonly PortObservation[];
  /** False when the port scan did not run (then "port closed" cannot be claimed). Default true. */
  portsScanned?: boolean;
  ecosystem: EcosystemObservations;
  advisories: AdvisoryDatabase;
}

/** What one run of one check on one device yields. */
export interface CheckResult {
  run: CheckRun;
  findings: Finding[];
}

/** A check: static metadata plus a pure function. `run` must not throw (runChecks guards anyway). */
export interface Check {
  readonly meta: CheckMeta;
  run(ctx: DeviceAuditContext): CheckResult;
}

/** Per-finding overrides of the meta defaults. */
export interface FindingOverrides {
  severity?: Severity;
  title?: string;
  remediation?: string;
  references?: readonly string[];
  confidence?: Confidence;
  subject?: string;
}
