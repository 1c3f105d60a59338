/**
 * Crash safety of the history database (issue 5): a child writes scans in a loop (one transaction each,
 * WAL) and is killed with SIGKILL mid-write. The database must reopen, pass `PRAGMA integrity_check`, and
 * hold every scan the child reported committed, intact; the half-written one is either complete or absent.
 * Three rounds on one file, so a later round also checks that a crashed round left a writable database.
 * Uses the built package (the child is plain node).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openHistory } from '@xmscan/report';

const WRITER = fileURLToPath(new URL('./history-writer.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../packages/report/dist/index.js', import.meta.url));

/** Run the writer until it has committed `minCommits` scans, then SIGKILL it after `extraMs`. */
function writeThenKill(db: string, startSeq: number, minCommits: number, extraMs: number): Promise<{ committed: Map<number, number>; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, db, String(startSeq), '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed = new Map<number, number>();
    let buf = '';
    let err = '';
    let killTimer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer committed only ${committed.size} scans in 30 s: ${err.slice(0, 500)}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const m = /^committed (\d+) (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (m) committed.set(Number(m[1]), Number(m[2]));
      }
      if (committed.size >= minCommits && killTimer === undefined) killTimer = setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      resolve({ committed, signal });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'xmscan-history-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(BUILT))('history survives SIGKILL mid-write', () => {
  it('keeps every committed scan intact and the file sound, over three kills', async () => {
    const db = join(dir, 'h', 'history.sqlite');
    const all = new Map<number, number>(); // id → seq of every scan reported committed
    let seq = 1;
    for (const extraMs of [7, 23, 41]) {
      const { committed, signal } = await writeThenKill(db, seq, 3, extraMs);
      expect(signal).toBe('SIGKILL');
      for (const [id, s] of committed) all.set(id, s);
      seq = Math.max(...committed.values()) + 1000; // seqs of later rounds never collide

      const store = openHistory(db);
      try {
        expect(store.integrityCheck()).toBe('ok');
        const listed = store.listScans();
        const ids = new Set(listed.map((s) => s.id));
        for (const [id, s] of all) {
          expect(ids.has(id), `committed scan ${id} missing`).toBe(true);
          const r = store.getScan(id)!;
          expect(r.options['seq']).toBe(s);
          expect(r.devices).toHaveLength(300);
          expect(r.findings).toHaveLength(300);
          expect(r.devices.every((d) => d.firmware?.version === `1.0.${s}`)).toBe(true);
        }
        // At most one scan beyond what was acknowledged (committed, killed before it printed) - and it is whole.
        const extra = listed.filter((s) => !all.has(s.id));
        expect(extra.length).toBeLessThanOrEqual(1);
        for (const e of extra) {
          expect(store.getScan(e.id)!.devices).toHaveLength(300);
          all.set(e.id, store.getScan(e.id)!.options['seq'] as number);
        }
      } finally {
        store.close();
      }
    }
    expect(all.size).toBeGreaterThanOrEqual(9);
  }, 120_000);
});
