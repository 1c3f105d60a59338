/**
 * Time-boxed fuzz harness for the hostile-input parsers (issue 8). One property for every target:
 *
 *   - the call returns a value, or throws a typed error: an Error whose `code` is a stable
 *     SCREAMING_SNAKE string with one of our prefixes (MIIO_ERR_, SCAN_ERR_, REPORT_ERR_, SIM_ERR_);
 *     a TypeError, RangeError (stack overflow), a string or anything else fails the target;
 *   - the call finishes within a per-call time bound (a slow call is how a hang shows up in a
 *     time-boxed run: fast-check can only stop between calls);
 *   - the output is bounded relative to the input (a parser must never amplify its input without
 *     limit); measured by a walker that itself stops at the limit.
 *
 * The heap is sampled before and after each target, and the growth is reported and bounded.
 */
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A real gc() before each heap sample, so the reported growth is retained memory, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const TYPED_ERROR_CODE = /^(MIIO|SCAN|REPORT|SIM)_ERR_[A-Z0-9_]+$/;

export interface FuzzTarget<T = unknown> {
  name: string;
  /** What the target feeds the parser. */
  arb: fc.Arbitrary<T>;
  /** Calls the parser(s); the returned value is what gets size-checked. May be async. */
  run(input: T): unknown;
  /** Size of the input in "units" (bytes, characters); default: a measure of the input itself. */
  inputSize?(input: T): number;
  /** Output budget for an input of `size` units; default 64 × size + 16 384. */
  maxOutput?(size: number): number;
  /** Per-call bound, ms; default XMSCAN_FUZZ_CALL_MS or 2 000. */
  callMs?: number;
}

export interface FuzzOutcome {
  name: string;
  iterations: number;
  ms: number;
  heapDeltaMb: number;
  slowestCallMs: number;
  failure: string | null;
}

/** Thrown by the property when a call breaks the contract; fast-check shrinks on it. */
class ContractBreach extends Error {}

export function isTypedError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && TYPED_ERROR_CODE.test(code);
}

/**
 * Approximate size of a value (string characters + 8 per node), never walking more than `limit`
 * units: iterative, so a 100 000-level deep value cannot overflow the stack here either.
 */
export function boundedSize(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && size <= limit) {
    const v = stack.pop();
    size += 8;
    if (typeof v === 'string') size += v.length;
    else if (v instanceof Uint8Array) size += v.length;
    else if (v !== null && typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
      if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
      else if (v instanceof Set) for (const x of v) stack.push(x);
      else if (Array.isArray(v)) for (const x of v) stack.push(x);
      else
        for (const k of Object.keys(v)) {
          size += k.length;
          stack.push((v as Record<string, unknown>)[k]);
        }
    }
  }
  return size;
}

function defaultInputSize(input: unknown): number {
  return boundedSize(input, 1e9);
}

function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}${(err as { code?: unknown }).code !== undefined ? ` (code ${String((err as { code?: unknown }).code)})` : ''}: ${err.message.slice(0, 300)}`;
  return `non-Error thrown: ${typeof err} ${String(err).slice(0, 200)}`;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Run one target for `ms` milliseconds (wall time); never throws, the outcome says what happened. */
export async function runTarget<T>(target: FuzzTarget<T>, ms: number, opts: { seed?: number } = {}): Promise<FuzzOutcome> {
  const callMs = target.callMs ?? Number(process.env['XMSCAN_FUZZ_CALL_MS'] ?? 2000);
  const maxOutput = target.maxOutput ?? ((n: number) => 64 * n + 16_384);
  const inputSize = target.inputSize ?? defaultInputSize;
  let slowest = 0;

  const check = (input: T, value: unknown, elapsed: number): void => {
    if (elapsed > slowest) slowest = elapsed;
    if (elapsed > callMs) throw new ContractBreach(`call took ${Math.round(elapsed)} ms (bound ${callMs} ms)`);
    const budget = maxOutput(inputSize(input));
    const size = boundedSize(value, budget + 1);
    if (size > budget) throw new ContractBreach(`output larger than ${budget} units for an input of ${inputSize(input)}`);
  };
  const onThrow = (err: unknown, elapsed: number): void => {
    if (err instanceof ContractBreach) throw err;
    if (elapsed > slowest) slowest = elapsed;
    if (!isTypedError(err)) throw new ContractBreach(`untyped throw: ${describeThrown(err)}`);
    if (elapsed > callMs) throw new ContractBreach(`call took ${Math.round(elapsed)} ms before throwing (bound ${callMs} ms)`);
  };

  const predicate = (input: T): void | Promise<void> => {
    const t0 = performance.now();
    let out: unknown;
    try {
      out = target.run(input);
    } catch (err) {
      onThrow(err, performance.now() - t0);
      return;
    }
    if (isThenable(out)) {
      return Promise.resolve(out).then(
        (value) => check(input, value, performance.now() - t0),
        (err: unknown) => onThrow(err, performance.now() - t0),
      );
    }
    check(input, out, performance.now() - t0);
  };

  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  // fast-check runs the async variant for any target: a sync predicate is fine inside it.
  const details = await fc.check(
    fc.asyncProperty(target.arb, async (input) => {
      await predicate(input);
    }),
    {
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: ms,
      markInterruptAsFailure: false,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    },
  );
  const elapsed = performance.now() - t0;
  gc();
  const heapDeltaMb = (process.memoryUsage().heapUsed - heap0) / 1048576;
  let failure: string | null = null;
  if (details.failed) {
    const ex = details.counterexample ? fc.stringify(details.counterexample).slice(0, 600) : '?';
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    failure = `${target.name}: ${why}\n  seed ${details.seed}, path ${details.counterexamplePath}, counterexample ${ex}`;
  }
  return { name: target.name, iterations: details.numRuns, ms: Math.round(elapsed), heapDeltaMb: Math.round(heapDeltaMb * 10) / 10, slowestCallMs: Math.round(slowest * 10) / 10, failure };
}

export function formatOutcome(o: FuzzOutcome): string {
  return `[fuzz] ${o.name.padEnd(28)} ${String(o.iterations).padStart(9)} iterations in ${String(o.ms).padStart(6)} ms  slowest call ${o.slowestCallMs} ms  heap Δ ${o.heapDeltaMb} MB${o.failure ? '  FAILED' : ''}`;
}

/** Heap growth over one target beyond this means something is retained per call. */
export const HEAP_GROWTH_LIMIT_MB = 200;
