/**
 * The sweep's retry pass lives inside the discovery window (issue 7): a sweep whose first pass outlasts the
 * window sends each host one hello, a short one sends the silent hosts a second. Real loopback sockets to
 * 127.3.0.x (nothing listens there, so every host stays silent); the rate limiter is wrapped to count sends.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../discovery/clock.js';
import { createRateLimiter, type RateLimiter } from '../discovery/rate-limiter.js';
import { silentLogger, type SourceContext } from '../discovery/source.js';
import { helloSweepSource } from './hello-sweep.js';

function context(hosts: number, windowMs: number, ratePps: number): { ctx: SourceContext; sent: () => number; stop: () => void } {
  const inner = createRateLimiter(ratePps, systemClock);
  let sent = 0;
  const limiter: RateLimiter = {
    ratePps,
    acquire: async (signal) => {
      const ok = await inner.acquire(signal);
      if (ok) sent++;
      return ok;
    },
  };
  const ac = new AbortController();
  const ctx: SourceContext = {
    signal: ac.signal,
    windowEnd: systemClock.now() + windowMs,
    windowMs,
    clock: systemClock,
    limiter,
    logger: silentLogger,
    emit: () => undefined,
    interfaces: [],
    sweepHosts: Array.from({ length: hosts }, (_, k) => `127.3.${k >> 8}.${(k & 255) + 1}`),
  };
  return { ctx, sent: () => sent, stop: () => ac.abort() };
}

describe('hello-sweep retry pass', () => {
  it('retries the silent hosts when the first pass leaves room in the window', async () => {
    const { ctx, sent, stop } = context(20, 1500, 100_000);
    await helloSweepSource({ retryDelayMs: 20, graceMs: 10 }).run(ctx);
    stop();
    expect(sent()).toBe(40);
  });

  it('sends one pass only when the first pass outlasts the window', async () => {
    // 300 hosts at 2000 pps take ~150 ms; the window is 50 ms.
    const { ctx, sent, stop } = context(300, 50, 2000);
    await helloSweepSource({ retryDelayMs: 20, graceMs: 10 }).run(ctx);
    stop();
    expect(sent()).toBe(300);
  });
});
