// Types for lab-scan.mjs (plain JS like lab.mjs, so a shell can use it without a build).
import type { Lab, LabManifest } from '../lab/lab.mjs';

export declare const XMSCAN: string;
export declare const HONEST: string[];
export declare const HOSTILE: string[];
export declare const SPOOF_ADDRESS: string;
export declare function writeTokens(manifest: LabManifest, dir: string): string;
export declare function addSpoofAddress(lab: Lab): Promise<void>;
export interface LabScan {
  report: any;
  wallMs: number;
  peakRssMb: number | null;
  code: number | null;
  stderr: string;
}
export declare function scanLab(lab: Lab, opts?: { dir?: string; tokensFile?: string; extraArgs?: string[]; timeoutMs?: number }): Promise<LabScan>;
export declare function stable(value: unknown): unknown;
export declare function honestDevices(report: any, manifest: LabManifest): Record<string, unknown[]>;
