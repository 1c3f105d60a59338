/**
 * Bounded delivery of one request: a few attempts, fixed backoff, Retry-After honoured within a cap,
 * all inside one overall deadline (pure logic; the transport and the clock are injected).
 */
import { NotifyError } from './errors.js';
import type { HttpRequest, HttpSend } from './types.js';

export interface RetryPolicy {
  /** Attempts in all (first try included). */
  attempts: number;
  /** Wait before attempt 2, 3, …; the last value repeats. */
  backoffMs: readonly number[];
  /** Deadline of one attempt (connect + answer). */
  attemptTimeoutMs: number;
  /** Longest Retry-After we wait for; a longer one ends the retries (we do not hammer a rate limit). */
  retryAfterCapMs: number;
  /** Deadline of the whole delivery, waits included. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 3,
  backoffMs: [500, 1000],
  attemptTimeoutMs: 5000,
  retryAfterCapMs: 5000,
  deadlineMs: 15_000,
});

export interface RetryClock {
  now(): number;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  /** Status of the last answer, if any. */
  status?: number;
  /** Why it failed (ok === false). */
  error?: NotifyError;
  /** Waits taken between attempts, ms (tests and logs). */
  waits: number[];
}

/** Retry-After in ms (delta-seconds or HTTP date, RFC 9110 §10.2.3); null when absent or unparsable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  // IMF-fixdate and the obsolete forms all name a weekday and a month; bare numbers are not dates.
  if (!/^[A-Za-z]{3}/.test(v)) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - nowMs);
}

const retryableStatus = (s: number) => s === 408 || s === 429 || (s >= 500 && s <= 599);

export async function deliver(
  send: HttpSend,
  req: HttpRequest,
  options: { policy?: Partial<RetryPolicy>; clock?: RetryClock; signal?: AbortSignal | undefined } = {},
): Promise<DeliveryResult> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const clock = options.clock ?? realClock;
  const signal = options.signal;
  const deadline = clock.now() + policy.deadlineMs;
  const waits: number[] = [];
  const attempts = Math.max(1, Math.floor(policy.attempts));
  let lastStatus: number | undefined;
  let lastError: NotifyError | undefined;
  const failed = (error: NotifyError, attempt: number): DeliveryResult => ({
    ok: false,
    attempts: attempt,
    error,
    waits,
    ...(lastStatus === undefined ? {} : { status: lastStatus }),
  });

  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - clock.now();
    if (signal?.aborted) return failed(new NotifyError('SCAN_ERR_NOTIFY_DEADLINE', 'notification interrupted'), attempt - 1);
    if (remaining <= 0) return failed(new NotifyError('SCAN_ERR_NOTIFY_DEADLINE', `no delivery within ${policy.deadlineMs} ms`, { cause: lastError }), attempt - 1);

    let retryAfterMs: number | null = null;
    try {
      const res = await send(req, { timeoutMs: Math.min(policy.attemptTimeoutMs, remaining), signal });
      lastStatus = res.status;
      if (res.status >= 200 && res.status <= 299) return { ok: true, attempts: attempt, status: res.status, waits };
      lastError = new NotifyError('SCAN_ERR_NOTIFY_HTTP', `receiver answered HTTP ${res.status}`, { status: res.status });
      if (!retryableStatus(res.status)) return failed(lastError, attempt);
      if (res.status === 429 || res.status === 503) {
        retryAfterMs = parseRetryAfter(res.retryAfter, clock.now());
        if (retryAfterMs !== null && retryAfterMs > policy.retryAfterCapMs) {
          const code = res.status === 429 ? 'SCAN_ERR_NOTIFY_RATE_LIMITED' : 'SCAN_ERR_NOTIFY_HTTP';
          return failed(
            new NotifyError(code, `receiver answered HTTP ${res.status} with Retry-After ${Math.ceil(retryAfterMs / 1000)} s (cap ${policy.retryAfterCapMs / 1000} s)`, { status: res.status }),
            attempt,
          );
        }
      }
    } catch (err) {
      lastError = err instanceof NotifyError ? err : new NotifyError('SCAN_ERR_NOTIFY_NETWORK', 'request failed', { cause: err });
      if (lastError.code === 'SCAN_ERR_NOTIFY_DEADLINE') return failed(lastError, attempt);
    }

    if (attempt >= attempts) return failed(lastError!, attempt);
    const wait = retryAfterMs ?? policy.backoffMs[Math.min(attempt - 1, policy.backoffMs.length - 1)] ?? 0;
    if (clock.now() + wait >= deadline) {
      return failed(new NotifyError('SCAN_ERR_NOTIFY_DEADLINE', `no delivery within ${policy.deadlineMs} ms (last: ${lastError!.message})`, { cause: lastError }), attempt);
    }
    waits.push(wait);
    await clock.sleep(wait, signal);
  }
}
