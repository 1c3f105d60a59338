/**
 * Long fuzz pass over a share of the targets (`pnpm test:fuzz`): each target runs
 * XMSCAN_FUZZ_TARGET_SECONDS (default 60) of wall time. The targets are split over two files
 * (hostile-a / hostile-b) so vitest's forks pool can run the halves side by side.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HEAP_GROWTH_LIMIT_MB, formatOutcome, runTarget, type FuzzOutcome } from './harness.js';
import { TARGETS } from './targets.js';

export function longPass(part: number, parts: number): void {
  const seconds = Number(process.env['XMSCAN_FUZZ_TARGET_SECONDS'] ?? 60);
  const only = process.env['XMSCAN_FUZZ_ONLY'];
  const mine = TARGETS.filter((_, i) => i % parts === part).filter((t) => !only || t.name.includes(only));
  const outcomes: FuzzOutcome[] = [];
  describe(`fuzz, long pass ${part + 1}/${parts}`, () => {
    afterAll(() => {
      const total = outcomes.reduce((s, o) => s + o.iterations, 0);
      const rss = Math.round(process.memoryUsage().rss / 1048576);
      console.log(`[fuzz] long pass ${part + 1}/${parts}: ${outcomes.length} targets, ${total} iterations, ${seconds} s each, worker RSS ${rss} MB`);
    });
    for (const target of mine) {
      it(target.name, { timeout: seconds * 1000 + 120_000 }, async () => {
        const o = await runTarget(target, seconds * 1000);
        outcomes.push(o);
        console.log(formatOutcome(o));
        expect(o.failure).toBeNull();
        expect(o.iterations).toBeGreaterThan(0);
        expect(o.heapDeltaMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
      });
    }
  });
}
