/**
 * Early miIO sessions (issue 7, performance). The handshake and `miIO.info` of a device start the
 * moment discovery first sees it, overlapping the discovery window the way the port probes do,
 * instead of after the window closes. auditDevice() later asks the probe port for a session: when
 * it asks for the same address with the same token (or none in both) and the same timeouts, it gets
 * the session already under way; any other request runs the real probe, as before. Decisions are
 * unchanged: only when the same packets leave moves. Measured on the 8-device lab (docs/benchmarks.md):
 * the ~600 ms a silent or hostile 54321 costs after the window (two 300 ms hello tries) now overlaps it.
 */
import { matchToken, type Token, type TokenEntry } from '@xmscan/miio-probe';
import type { DeviceRecord } from '../discovery/merge.js';
import type { MiioSessionResult, ScanProbes } from './probes.js';

const MIIO_SERVICE = '_miio._udp';

export interface MiioPrefetch {
  /** Start the session for a device first seen by discovery (idempotent per address). */
  start(record: DeviceRecord): void;
  /** The probe port to hand to auditDevice(): `miio` serves a matching early session. */
  probes: ScanProbes;
}

export interface MiioPrefetchOptions {
  tokens: readonly TokenEntry[];
  timeoutMs: number;
  retries: number;
  signal: AbortSignal;
}

const sameToken = (a: Token | undefined, b: Token | undefined): boolean =>
  a === undefined ? b === undefined : b !== undefined && a.equals(b);

export function createMiioPrefetch(probes: ScanProbes, options: MiioPrefetchOptions): MiioPrefetch {
  const jobs = new Map<string, { token: Token | undefined; session: Promise<MiioSessionResult> }>();
  return {
    start(record) {
      const ip = record.ip;
      if (ip === null || jobs.has(ip) || options.signal.aborted) return;
      const supplied = matchToken(options.tokens, { deviceId: record.deviceId ?? undefined, mac: record.mac ?? undefined, ip });
      // Same test as auditDevice(): only devices that showed a miIO sign, or that the user gave a token for.
      const speaksMiio =
        record.hello !== null ||
        record.sources.some((s) => s === 'hello-sweep' || s === 'hello-broadcast') ||
        record.services.some((s) => s.type.startsWith(MIIO_SERVICE)) ||
        supplied !== undefined;
      if (!speaksMiio) return;
      const token = supplied?.token;
      const session = probes.miio({ address: ip, token, timeoutMs: options.timeoutMs, retries: options.retries, signal: options.signal });
      // Never an unhandled rejection when no audit claims it (the record merged into another address).
      session.catch(() => undefined);
      jobs.set(ip, { token, session });
    },
    probes: {
      ...probes,
      miio(o) {
        const job = jobs.get(o.address);
        if (job !== undefined && sameToken(job.token, o.token) && o.timeoutMs === options.timeoutMs && o.retries === options.retries) {
          return job.session;
        }
        return probes.miio(o);
      },
    },
  };
}
