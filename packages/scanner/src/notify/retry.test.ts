import { describe, expect, it } from 'vitest';
import { NotifyError } from './errors.js';
import { deliver, parseRetryAfter, type RetryClock } from './retry.js';
import type { HttpRequest, HttpResponse, HttpSend } from './types.js';

const REQ: HttpRequest = { url: new URL('http://127.0.0.1:9/hook'), method: 'POST', headers: {}, body: Buffer.from('{}') };

/** Fake clock: sleep advances time instantly and records each wait; each send costs `sendMs`. */
function fakeClock(sendMs = 10) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const clock: RetryClock = {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
  return { clock, sleeps, advance: (ms: number) => (t += ms), sendMs, get t() { return t; } };
}

/** A transport answering from a script; `Error` entries reject. */
function scripted(script: (HttpResponse | Error)[], fc: ReturnType<typeof fakeClock>) {
  const calls: { timeoutMs: number; at: number }[] = [];
  const send: HttpSend = async (_req, opts) => {
    calls.push({ timeoutMs: opts.timeoutMs, at: fc.t });
    // like the real adapter: an answer slower than the attempt's deadline is a timeout
    if (fc.sendMs > opts.timeoutMs) {
      fc.advance(opts.timeoutMs);
      throw new NotifyError('SCAN_ERR_NOTIFY_NETWORK', 'timeout');
    }
    fc.advance(fc.sendMs);
    const next = script[Math.min(calls.length - 1, script.length - 1)]!;
    if (next instanceof Error) throw next;
    return next;
  };
  return { send, calls };
}

const ok: HttpResponse = { status: 204, retryAfter: null };
const s500: HttpResponse = { status: 500, retryAfter: null };

describe('deliver', () => {
  it('retries a 500 with 0.5 s then 1 s backoff and succeeds', async () => {
    const fc = fakeClock();
    const t = scripted([s500, s500, ok], fc);
    const r = await deliver(t.send, REQ, { clock: fc.clock });
    expect(r).toMatchObject({ ok: true, attempts: 3, status: 204 });
    expect(fc.sleeps).toEqual([500, 1000]);
    expect(r.waits).toEqual([500, 1000]);
  });

  it('is bounded when the receiver always fails: 3 attempts, then SCAN_ERR_NOTIFY_HTTP', async () => {
    const fc = fakeClock();
    const t = scripted([s500], fc);
    const r = await deliver(t.send, REQ, { clock: fc.clock });
    expect(r.ok).toBe(false);
    expect(t.calls).toHaveLength(3);
    expect(r.error?.code).toBe('SCAN_ERR_NOTIFY_HTTP');
    expect(r.status).toBe(500);
    expect(fc.sleeps).toEqual([500, 1000]);
  });

  it('retries network errors, never retries a 4xx other than 408/429', async () => {
    const fc = fakeClock();
    const t = scripted([new NotifyError('SCAN_ERR_NOTIFY_NETWORK', 'ECONNREFUSED'), ok], fc);
    expect(await deliver(t.send, REQ, { clock: fc.clock })).toMatchObject({ ok: true, attempts: 2 });
    for (const status of [400, 401, 403, 404, 301]) {
      const fc2 = fakeClock();
      const t2 = scripted([{ status, retryAfter: null }, ok], fc2);
      const r = await deliver(t2.send, REQ, { clock: fc2.clock });
      expect(r, String(status)).toMatchObject({ ok: false, attempts: 1, status });
      expect(fc2.sleeps).toEqual([]);
    }
  });

  it('honours Retry-After on 429 within the cap, and gives up on a longer one without waiting', async () => {
    const fc = fakeClock();
    const t = scripted([{ status: 429, retryAfter: '2' }, ok], fc);
    expect(await deliver(t.send, REQ, { clock: fc.clock })).toMatchObject({ ok: true, attempts: 2 });
    expect(fc.sleeps).toEqual([2000]);

    const fc2 = fakeClock();
    const t2 = scripted([{ status: 429, retryAfter: '120' }, ok], fc2);
    const r = await deliver(t2.send, REQ, { clock: fc2.clock });
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 429 });
    expect(r.error?.code).toBe('SCAN_ERR_NOTIFY_RATE_LIMITED');
    expect(fc2.sleeps).toEqual([]);

    // a 429 without Retry-After falls back to the backoff
    const fc3 = fakeClock();
    const t3 = scripted([{ status: 429, retryAfter: null }, ok], fc3);
    expect(await deliver(t3.send, REQ, { clock: fc3.clock })).toMatchObject({ ok: true });
    expect(fc3.sleeps).toEqual([500]);
  });

  it('keeps every wait and attempt inside the overall deadline', async () => {
    const fc = fakeClock(4000); // each attempt eats 4 s of a 10 s budget
    const t = scripted([s500], fc);
    const start = fc.t;
    const r = await deliver(t.send, REQ, { clock: fc.clock, policy: { deadlineMs: 10_000, attemptTimeoutMs: 5000, attempts: 5 } });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('SCAN_ERR_NOTIFY_DEADLINE');
    expect(fc.t - start).toBeLessThanOrEqual(10_000);
    // each attempt got no more time than was left
    for (const c of t.calls) expect(c.at + c.timeoutMs).toBeLessThanOrEqual(start + 10_000);
    expect(t.calls.length).toBeLessThan(5);
  });

  it('stops at once when the signal is aborted', async () => {
    const fc = fakeClock();
    const ac = new AbortController();
    ac.abort();
    const t = scripted([ok], fc);
    const r = await deliver(t.send, REQ, { clock: fc.clock, signal: ac.signal });
    expect(r).toMatchObject({ ok: false, attempts: 0 });
    expect(t.calls).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates; junk is null', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:04 GMT', now)).toBe(4000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-1', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
