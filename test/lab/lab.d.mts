// Types for lab.mjs (kept by hand: the lab is plain JS so the shell can run it without a build).
export declare const REPO_ROOT: string;
export declare const LAB_ROOT: string;
export declare const LAB_SUBNET: string;
export declare const SCANNER_ADDRESS: string;
export declare const LAB_BROADCAST: string;
export declare const NS_PREFIX: string;

export declare class LabError extends Error {
  readonly code: string;
  constructor(code: string, message: string);
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}
export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LabManifestDevice {
  name: string;
  address: string;
  port: number | null;
  did: number;
  model: string;
  fw_ver: string;
  hw_ver: string;
  mac: string;
  token: string;
  leaksToken: boolean;
  answersBroadcast: boolean;
  answersInfo: boolean;
  mdnsName: string | null;
  tcpPorts: number[];
  yeelight: boolean;
  lumiGateway: boolean;
  router: boolean;
  [extra: string]: unknown;
}
export interface LabManifest {
  generatedAt: string;
  lab: { id: string; lanNs: string; scannerAddress: string; subnet: string; broadcast: string; interface: string };
  devices: LabManifestDevice[];
}

export interface LabOptions {
  /** A count (first N devices of the set) or device names. Default: every device of the set. */
  devices?: number | string[];
  /** Built-in set name (`lab`, `demo`) or a path to a profile JSON file. Default `lab`. */
  profiles?: string;
  id?: string;
  readyTimeoutMs?: number;
  /** Left running after this process exits (CLI `lab:up`); torn down by `lab:down`. */
  persistent?: boolean;
  extraArgs?: string[];
}

export interface Lab {
  id: string;
  lanNs: string;
  scannerAddress: string;
  subnet: string;
  namespaces: string[];
  pids: number[];
  manifest: LabManifest;
  manifestFile: string;
  dir: string;
  readyMs: number;
  devices: { name: string; ns: string; address: string; mac: string | null; log: string }[];
  exec(cmd: string, args?: string[], opts?: RunOptions): Promise<RunResult>;
  execIn(device: string, cmd: string, args?: string[], opts?: RunOptions): Promise<RunResult>;
  requests(): Record<string, unknown>[];
  stop(opts?: { graceMs?: number; keepDir?: boolean }): Promise<void>;
}

export declare function isRoot(): boolean;
export declare function labUnavailableReason(): string | null;
export declare function simulatorEntry(): string;
export declare function run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
export declare function resolveProfilesPath(nameOrPath: string): string;
export declare function readProfileDevices(nameOrPath: string): { name: string; mac: string | null; address: string | null }[];
export declare function listLabStates(): any[];
export declare function teardownState(state: any, opts?: { graceMs?: number; keepDir?: boolean }): Promise<void>;
export declare function cleanupStaleLabs(opts?: { includePersistent?: boolean; graceMs?: number }): Promise<string[]>;
export declare function startLab(options?: LabOptions): Promise<Lab>;
export declare function stopAllLabs(opts?: { graceMs?: number; all?: boolean }): Promise<string[]>;
