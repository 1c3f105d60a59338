import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../discovery/rate-limiter.js';
import { systemClock } from '../discovery/clock.js';
import type { DiscoverySource, SourceContext } from '../discovery/source.js';
import { createProgress } from './progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { s: { isTTY, columns: 200, write: (c: string) => (writes.push(c), true) }, writes };
}

describe('progress', () => {
  it('is silent when stderr is not a TTY', () => {
    const { s, writes } = stream(false);
    const p = createProgress({ stream: s });
    p.phase('discovery');
    p.deviceFound();
    p.done();
    expect(p.enabled).toBe(false);
    expect(writes).toEqual([]);
  });

  it('draws phase, hosts swept, devices found and probed on a TTY, then erases the line', () => {
    const { s, writes } = stream(true);
    let t = 0;
    const p = createProgress({ stream: s, now: () => t, intervalMs: 0 });
    p.sweepTotal(254);
    p.phase('discovery');
    for (let i = 0; i < 300; i++) p.hostSwept();
    p.deviceFound();
    p.deviceFound();
    t = 1000;
    p.deviceProbed();
    const last = writes.at(-1)!;
    expect(last).toContain('probing');
    expect(last).toContain('hosts swept 254/254'); // retries are capped
    expect(last).toContain('devices found 2');
    expect(last).toContain('probed 1');
    p.done();
    expect(writes.at(-1)).toBe('\r\x1b[2K');
    expect(p.snapshot()).toMatchObject({ found: 2, probed: 1, swept: 300 });
  });

  it('counts the sweep source\'s granted sends without changing the source', async () => {
    const p = createProgress({ enabled: false });
    let saw = 0;
    const sweep: DiscoverySource = {
      name: 'hello-sweep',
      async run(ctx) {
        for (let i = 0; i < 5; i++) if (await ctx.limiter.acquire(ctx.signal)) saw++;
      },
    };
    const other: DiscoverySource = { name: 'mdns', run: async () => undefined };
    const [wrapped, untouched] = p.instrument([sweep, other]);
    expect(untouched).toBe(other);
    const limiter = createRateLimiter(10_000, systemClock);
    await wrapped!.run({ limiter, signal: new AbortController().signal } as unknown as SourceContext);
    expect(saw).toBe(5);
    expect(p.snapshot().swept).toBe(5);
  });
});
