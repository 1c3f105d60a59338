/**
 * The xmscan result schema, version 1: types only (zero runtime). The JSON Schema twin is
 * `schema/report-v1.schema.json`; keep both in step (a test validates a built report against it).
 *
 * Rules that hold for every field:
 * - A device token never appears; only its fingerprint (`tok:` + 12 hex of SHA-256, see the codec's Token).
 * - Strings that came from a device (names, banners, SSIDs, TXT values) are stored as received;
 *   writers sanitise them for their medium (terminal, HTML).
 * - Times are ISO 8601 UTC strings from the injected clock.
 */
import type { Severity } from './severity.js';

export type { Severity } from './severity.js';

/** Only version of the JSON layout this package writes. Bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1 as const;

/** Static description of a check. `id` is kebab-case and never changes once released. */
export interface CheckMeta {
  id: string;
  title: string;
  /** Default severity of this check's findings; a finding may carry another (e.g. escalation). */
  severity: Severity;
  description: string;
  /** What a homeowner should do, in plain words. */
  remediation: string;
  /** URLs (advisories, project docs, issues) backing the check. */
  references: readonly string[];
}

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'error', 'skipped'];

/** How sure a finding is: `certain` = observed or version in a stated range; `possible` = could not verify. */
export type Confidence = 'certain' | 'likely' | 'possible';
export const CONFIDENCES: readonly Confidence[] = ['certain', 'likely', 'possible'];

/** A typed error as data (`code` is a stable SCREAMING_SNAKE code such as `MIIO_ERR_PROBE_TIMEOUT`). */
export interface ErrorInfo {
  code: string;
  message: string;
}

/** Evidence is a plain JSON object. It never holds a token, only `tokenFingerprint`. */
export type Evidence = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One problem found on one device. */
export interface Finding {
  checkId: string;
  severity: Severity;
  title: string;
  ip: string;
  /** miIO device id as a decimal string; null when the device never revealed one. */
  deviceId: string | null;
  mac?: string | null;
  /**
   * Distinguishes several findings of one check on one device (an advisory id, a port). Part of the
   * dedupe key; absent when a check yields at most one finding per device.
   */
  subject?: string;
  evidence: Evidence;
  remediation: string;
  references: readonly string[];
  confidence?: Confidence;
}

/** The outcome of one check on one device: every check run is visible, including "could not test". */
export interface CheckRun {
  checkId: string;
  deviceId: string | null;
  ip: string;
  status: CheckStatus;
  /** Why: "no token supplied", "port 23 closed", "not a Yeelight" … */
  reason?: string;
  error?: ErrorInfo;
}

/** `strong`: a Xiaomi company or ecosystem brand OUI; `weak`: a Wi-Fi module vendor seen inside Mi devices. */
export type XiaomiFamily = 'strong' | 'weak';

/** Firmware as `miIO.info` (or a router's init_info) reported it; null fields were not reported. */
export interface FirmwareInfo {
  version: string | null;
  hardware: string | null;
  wifi: string | null;
  mcu: string | null;
}

/**
 * - `exposed-confirmed`: the hello reply carried a token and a `miIO.info` with it succeeded.
 * - `exposed-unconfirmed`: the hello reply carried a non-masked value; not (yet) confirmed.
 * - `hidden`: all-`ff` / all-`00` mask.
 * - `unknown`: no hello reply.
 */
export type TokenState = 'exposed-confirmed' | 'exposed-unconfirmed' | 'hidden' | 'unknown';

export interface TokenReport {
  state: TokenState;
  /** The user supplied a token for this device. */
  supplied: boolean;
  /** The supplied token worked (true), was rejected (false), or was not tried / none supplied (null). */
  valid: boolean | null;
  /** Fingerprint of the supplied or exposed token; never the token. */
  fingerprint: string | null;
  /**
   * The token itself (32 lower-case hex), present only in a report made with `--show-secrets`
   * (`ScanReport.secretsShown: true`, see redact.ts `revealSecrets`). Never stored in history.
   */
  value?: string;
}

export interface OpenPort {
  port: number;
  protocol: 'tcp' | 'udp';
  /** Service name guessed from port and banner (`telnet`, `ssh`, `http`, `rtsp`, `mqtt`, `miio` …). */
  service: string | null;
  /** First bytes the service sent, as text; device-supplied (writers sanitise). */
  banner: string | null;
}

/** One device: the discover fields plus what probing learned. Extra keys are allowed (`extras`). */
export interface DeviceReport {
  ip: string;
  mac: string | null;
  /** IEEE company name of the MAC's OUI. */
  vendor: string | null;
  xiaomiFamily: XiaomiFamily | null;
  /** miIO device id as a decimal string (ids can exceed 2^31; a string avoids sign and precision loss). */
  deviceId: string | null;
  /** miIO model id (`lumi.gateway.mgl03`), router model, or Yeelight model; null when unknown. */
  model: string | null;
  /** Names the device goes by (mDNS instance, hostname, SSDP name); device-supplied. */
  names: readonly string[];
  /** Discovery sources that saw it (`mdns`, `hello`, `arp`, `yeelight`, `lumi`, `target` …). */
  sources: readonly string[];
  firmware: FirmwareInfo | null;
  token: TokenReport;
  openPorts: readonly OpenPort[];
  /** Anything else a probe learned (mDNS TXT, router init_info with serial redacted …). */
  extras?: { readonly [key: string]: JsonValue };
}

/** A summary of the options the scan ran with; never holds tokens or passwords. */
export interface ScanOptionsSummary {
  targets?: readonly string[];
  [key: string]: JsonValue | undefined;
}

export interface ReportWarning {
  code: string;
  message: string;
  ip?: string;
}

export interface ReportSummary {
  devices: number;
  findingsBySeverity: Record<Severity, number>;
  checksByStatus: Record<CheckStatus, number>;
}

/** The whole scan result. `schemaVersion` is the first key of the JSON form. */
export interface ScanReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  options: ScanOptionsSummary;
  devices: readonly DeviceReport[];
  checks: readonly CheckRun[];
  findings: readonly Finding[];
  summary: ReportSummary;
  /** The scan stopped early (deadline, abort): absent devices or runs do not mean "clean". */
  incomplete?: boolean;
  /**
   * True only when the user asked for `--show-secrets`: token values, Wi-Fi SSID/BSSID and router
   * serials are then in clear (`token.value`, `extras.wifi.ssid|bssid`, `extras.router.serial`).
   * Absent in the default, redacted report (redact.ts).
   */
  secretsShown?: boolean;
  warnings?: readonly ReportWarning[];
  /** Findings an ignore file (`--ignore`) suppressed: listed, not counted in `summary` or for `--fail-on`. */
  suppressed?: readonly SuppressedFinding[];
}

/** A finding the user chose to ignore, with their reason; `expires` (ISO date) when the entry has one. */
export interface SuppressedFinding {
  finding: Finding;
  reason: string;
  expires?: string;
}

/**
 * Raw secret values one scan learned about one device. Kept apart from the report: never stored in
 * history, never written unless the user asked with `--show-secrets` (then merged by the writers' step).
 */
export interface DeviceSecrets {
  ip: string;
  deviceId: string | null;
  mac: string | null;
  /** Token hex (the supplied one if valid, else the exposed one). */
  token?: string;
  wifiSsid?: string;
  wifiBssid?: string;
  routerSerial?: string;
}
