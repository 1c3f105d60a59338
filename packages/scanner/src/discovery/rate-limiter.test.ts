import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { createRateLimiter } from './rate-limiter.js';

/** A clock that only moves when someone sleeps: time is exact and the test instant. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('rate limiter (fake clock)', () => {
  it('grants the burst at once, then paces at the rate', async () => {
    const clock = fakeClock();
    const rl = createRateLimiter(1000, clock, 5);
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      expect(await rl.acquire()).toBe(true);
      times.push(clock.now());
    }
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // 20 more at 1000 pps take 20 ms.
    expect(times[24]).toBe(20);
    for (let i = 6; i < 25; i++) expect(times[i]! - times[i - 1]!).toBe(1);
  });

  it('never exceeds burst + rate × t over the run', async () => {
    const clock = fakeClock();
    const rl = createRateLimiter(2000, clock);
    let sent = 0;
    for (let i = 0; i < 1000; i++) if (await rl.acquire()) sent++;
    expect(sent).toBe(1000);
    // 1000 packets at 2000 pps with a 40-packet burst: at least (1000 - 40) / 2000 s.
    expect(clock.now()).toBeGreaterThanOrEqual(480);
    expect(clock.now()).toBeLessThanOrEqual(500);
  });

  it('concurrent callers share one budget', async () => {
    const clock = fakeClock();
    const rl = createRateLimiter(100, clock, 1);
    const got = await Promise.all(Array.from({ length: 10 }, () => rl.acquire()));
    expect(got.every(Boolean)).toBe(true);
    expect(clock.now()).toBe(90);
  });

  it('returns false once aborted, without sleeping forever', async () => {
    const clock = fakeClock();
    const rl = createRateLimiter(1, clock, 1);
    const ac = new AbortController();
    expect(await rl.acquire(ac.signal)).toBe(true);
    ac.abort();
    expect(await rl.acquire(ac.signal)).toBe(false);
  });

  it('rejects a non-positive rate', () => {
    expect(() => createRateLimiter(0, fakeClock())).toThrow(RangeError);
  });
});
