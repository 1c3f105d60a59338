import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One request a simulated device received (contract: `--log` JSON lines). Never carries a token. */
export interface RequestRecord {
  ts: string;
  device: string;
  proto: 'miio' | 'mdns' | 'tcp' | 'yeelight' | 'lumi' | 'http';
  from: string;
  kind: string;
  /** false marks anything that would change a real device (set_*, write, PUBLISH, telnet input, ...). */
  readOnly: boolean;
  detail: Record<string, unknown>;
}

/** Keys never written to the log, whatever a handler put into `detail`. */
const SECRET_KEYS = new Set(['token', 'key', 'passwd', 'password']);

function scrub(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail)) out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : v;
  return out;
}

/**
 * The test suite's copy of every request log (issue 8: read-only proven across the whole suite): when
 * `XMSCAN_SIM_LOG_DIR` is set, each simulator also appends to its own file there, named after
 * `XMSCAN_SIM_LOG_TAG` (the test file that started it, set by test/security/sim-log-setup.ts).
 */
export function suiteLogFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env['XMSCAN_SIM_LOG_DIR'];
  if (!dir) return undefined;
  const tag = (env['XMSCAN_SIM_LOG_TAG'] ?? 'untagged').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120);
  return join(dir, `${tag}~${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
}

/** Live in-memory list plus an optional append-only JSON-lines file (written synchronously, so a test reading it sees every request already answered). */
export class RequestLog {
  readonly records: RequestRecord[] = [];
  #fd: number | null;
  #suiteFd: number | null = null;
  readonly #now: () => number;
  readonly #listeners: ((r: RequestRecord) => void)[] = [];

  constructor(file?: string, now: () => number = Date.now) {
    this.#fd = file ? openSync(file, 'a') : null;
    this.#now = now;
    const suite = suiteLogFile();
    if (suite) {
      try {
        this.#suiteFd = openSync(suite, 'a', 0o600);
      } catch {
        // The suite log is a test aid: a missing directory must not stop a simulator.
      }
    }
  }

  onRecord(fn: (r: RequestRecord) => void): void {
    this.#listeners.push(fn);
  }

  add(entry: Omit<RequestRecord, 'ts'>): RequestRecord {
    const record: RequestRecord = { ts: new Date(this.#now()).toISOString(), ...entry, detail: scrub(entry.detail) };
    this.records.push(record);
    for (const fd of [this.#fd, this.#suiteFd]) {
      if (fd === null) continue;
      try {
        writeSync(fd, JSON.stringify(record) + '\n');
      } catch {
        // A full disk must not stop the devices; the in-memory list still has the record.
      }
    }
    for (const fn of this.#listeners) fn(record);
    return record;
  }

  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
    if (this.#suiteFd !== null) {
      closeSync(this.#suiteFd);
      this.#suiteFd = null;
    }
  }
}
