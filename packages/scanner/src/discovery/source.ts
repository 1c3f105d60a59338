import type { NetInterface } from '../adapters/interfaces.js';
import type { Clock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Sighting } from './sighting.js';
import type { SendProblem } from './net-faults.js';

/** The subset of pino's API the library uses; the default is silent. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface SourceContext {
  /** Aborts when discovery ends (window closed and sweep done) or the caller aborts: close sockets. */
  signal: AbortSignal;
  /** When the discovery window closes (ms since epoch, `clock.now()` scale). */
  windowEnd: number;
  /** Window length in ms (sources schedule their re-sends as fractions of it). */
  windowMs: number;
  clock: Clock;
  /** The one global packet-rate cap every sender shares. */
  limiter: RateLimiter;
  logger: Logger;
  emit(sighting: Sighting): void;
  /** Interfaces selected for broadcast / multicast (may include lo for loopback targets). */
  interfaces: readonly NetInterface[];
  /** Hosts of the unicast sweep (scope guard already applied). */
  sweepHosts: readonly string[];
  /** A send the kernel refused (net-faults.ts): summarized for the user at the end of the run. */
  sendFailed?: ((problem: SendProblem) => void) | undefined;
}

/**
 * One discovery source: an adapter around one socket or library. `run` starts it and resolves when
 * it has nothing left to send (its sockets keep receiving until `ctx.signal` aborts, then close).
 * It must never reject for network trouble: it logs and returns.
 */
export interface DiscoverySource {
  readonly name: string;
  run(ctx: SourceContext): Promise<void>;
}

/** Resolve when the signal aborts (immediately if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
