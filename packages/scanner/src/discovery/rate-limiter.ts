import type { Clock } from './clock.js';

export interface RateLimiter {
  /**
   * Wait for permission to send one packet. Resolves true when granted, false when `signal`
   * aborted first. Callers are served in order.
   */
  acquire(signal?: AbortSignal): Promise<boolean>;
  readonly ratePps: number;
}

/**
 * Token bucket shared by every sender of a discovery run: at most `burst + rate × t` packets in
 * any interval t. The burst (20 ms worth) exists because timers have ~1 ms granularity, so a pure
 * 0.5 ms spacing at 2000 pps could never be met (protocols.md §1.1: rate-limit your probes).
 */
export function createRateLimiter(ratePps: number, clock: Clock, burst = Math.max(1, Math.floor(ratePps / 50))): RateLimiter {
  if (!(ratePps > 0) || !Number.isFinite(ratePps)) throw new RangeError('rate must be a positive number');
  let tokens = burst;
  let last = clock.now();
  let tail: Promise<unknown> = Promise.resolve();

  const refill = () => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - last) * ratePps) / 1000);
    last = now;
  };

  const take = async (signal?: AbortSignal): Promise<boolean> => {
    for (;;) {
      if (signal?.aborted) return false;
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      await clock.sleep(Math.ceil(((1 - tokens) * 1000) / ratePps), signal);
    }
  };

  return {
    ratePps,
    acquire(signal) {
      const p = tail.then(() => take(signal));
      tail = p.catch(() => undefined);
      return p;
    },
  };
}
