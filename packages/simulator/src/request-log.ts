import { closeSync, openSync, writeSync } from 'node:fs';

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

/** Live in-memory list plus an optional append-only JSON-lines file (written synchronously, so a test reading it sees every request already answered). */
export class RequestLog {
  readonly records: RequestRecord[] = [];
  #fd: number | null;
  readonly #now: () => number;
  readonly #listeners: ((r: RequestRecord) => void)[] = [];

  constructor(file?: string, now: () => number = Date.now) {
    this.#fd = file ? openSync(file, 'a') : null;
    this.#now = now;
  }

  onRecord(fn: (r: RequestRecord) => void): void {
    this.#listeners.push(fn);
  }

  add(entry: Omit<RequestRecord, 'ts'>): RequestRecord {
    const record: RequestRecord = { ts: new Date(this.#now()).toISOString(), ...entry, detail: scrub(entry.detail) };
    this.records.push(record);
    if (this.#fd !== null) {
      try {
        writeSync(this.#fd, JSON.stringify(record) + '\n');
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
  }
}
