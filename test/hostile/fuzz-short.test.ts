/**
 * Short fuzz pass, part of `pnpm test` (issue 8): every target of test/fuzz/targets.ts for a couple
 * of seconds (XMSCAN_FUZZ_SHORT_MS, default 2000). The long pass is `pnpm test:fuzz`
 * (test/fuzz/hostile-*.fuzz.ts, ≥ 60 s per target). Lives here because vitest.config.ts excludes
 * test/fuzz/** from the default run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HEAP_GROWTH_LIMIT_MB, formatOutcome, runTarget, type FuzzOutcome } from '../fuzz/harness.js';
import { TARGETS } from '../fuzz/targets.js';

const MS = Number(process.env['XMSCAN_FUZZ_SHORT_MS'] ?? 2000);
const outcomes: FuzzOutcome[] = [];

describe('fuzz, short pass', () => {
  afterAll(() => {
    const total = outcomes.reduce((s, o) => s + o.iterations, 0);
    console.log(`[fuzz] short pass: ${outcomes.length} targets, ${total} iterations, ${MS} ms each`);
  });

  for (const target of TARGETS) {
    it(target.name, { timeout: MS + 28_000 }, async () => {
      const o = await runTarget(target, MS);
      outcomes.push(o);
      console.log(formatOutcome(o));
      expect(o.failure).toBeNull();
      expect(o.iterations).toBeGreaterThan(0);
      expect(o.heapDeltaMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    });
  }
});
