import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, defaultLockPath, LockError, processAlive, withScanLock } from './lock.js';

const dir = mkdtempSync(join(tmpdir(), 'xmscan-lock-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `l${n++}`, 'scan.lock');

describe('acquireLock', () => {
  it('creates the file with our PID, refuses a second holder, frees on release', async () => {
    const path = fresh();
    const a = await acquireLock(path);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    const err = (await acquireLock(path).catch((e: unknown) => e)) as LockError;
    expect(err).toBeInstanceOf(LockError);
    expect(err.code).toBe('SCAN_ERR_LOCKED');
    expect(err.holderPid).toBe(process.pid);
    expect(err.message).toMatch(new RegExp(`pid ${process.pid}`));
    a.release();
    expect(existsSync(path)).toBe(false);
    (await acquireLock(path)).release();
  });

  it('takes over a stale lock (holder PID not alive on this host)', async () => {
    const path = fresh();
    await acquireLock(path, { pid: 999_999 }); // never released: as if that process died
    const b = await acquireLock(path, { isAlive: (pid) => pid !== 999_999 });
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    b.release();
  });

  it('does not take over a live holder, nor one from another host', async () => {
    const path = fresh();
    await acquireLock(path, { pid: 4242 });
    await expect(acquireLock(path, { isAlive: () => true })).rejects.toMatchObject({ code: 'SCAN_ERR_LOCKED', holderPid: 4242 });
    const other = fresh();
    await acquireLock(other);
    writeFileSync(other, `4242\n2026-01-01T00:00:00.000Z\nanother-host-${hostname()}\n`);
    await expect(acquireLock(other, { isAlive: () => false })).rejects.toMatchObject({ code: 'SCAN_ERR_LOCKED' });
  });

  it('junk content is stale only once old', async () => {
    const path = fresh();
    await acquireLock(path);
    writeFileSync(path, 'garbage');
    await expect(acquireLock(path)).rejects.toMatchObject({ code: 'SCAN_ERR_LOCKED', holderPid: null });
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(path, old, old);
    (await acquireLock(path)).release();
  });

  it('release never removes somebody else\'s lock', async () => {
    const path = fresh();
    const a = await acquireLock(path);
    writeFileSync(path, `1\nx\n${hostname()}\n`); // replaced under us
    a.release();
    expect(existsSync(path)).toBe(true);
  });

  it('--wait polls until free, and gives up at the deadline', async () => {
    const path = fresh();
    const a = await acquireLock(path);
    setTimeout(() => a.release(), 120);
    const t0 = Date.now();
    const b = await acquireLock(path, { wait: true, pollMs: 20 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await expect(acquireLock(path, { wait: true, pollMs: 20, waitTimeoutMs: 60 })).rejects.toMatchObject({ code: 'SCAN_ERR_LOCKED' });
    b.release();
  });

  it('processAlive: ourselves yes, a free PID no', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});

describe('defaultLockPath', () => {
  it('prefers systemd directories, then XDG_RUNTIME_DIR, then the XDG state dir', () => {
    expect(defaultLockPath({ RUNTIME_DIRECTORY: '/run/xmscan', STATE_DIRECTORY: '/var/lib/xmscan' })).toBe('/run/xmscan/scan.lock');
    expect(defaultLockPath({ STATE_DIRECTORY: '/var/lib/xmscan:/var/lib/other' })).toBe('/var/lib/xmscan/scan.lock');
    expect(defaultLockPath({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/xmscan/scan.lock');
    expect(defaultLockPath({ XDG_STATE_HOME: '/s' })).toBe('/s/xmscan/scan.lock');
    expect(defaultLockPath({}, '/home/u')).toBe('/home/u/.local/state/xmscan/scan.lock');
  });
});

describe('withScanLock', () => {
  it('second caller: a clear message and null (exit 0); quiet: no message; --wait: runs after', async () => {
    const lockFile = fresh();
    const lines: string[] = [];
    const stderr = { write: (s: string) => lines.push(s) };
    let release!: () => void;
    const first = withScanLock({ lockFile }, () => new Promise<string>((r) => (release = () => r('first'))), { stderr });
    await new Promise((r) => setTimeout(r, 20));
    expect(await withScanLock({ lockFile }, async () => 'second', { stderr })).toBeNull();
    expect(lines.join('')).toMatch(/another xmscan scan is running \(pid \d+, lock .*scan\.lock\); not starting a second one \(exit 0; use --wait to queue\)/);
    lines.length = 0;
    expect(await withScanLock({ lockFile, quiet: true }, async () => 'second', { stderr })).toBeNull();
    expect(lines).toEqual([]);
    const waiting = withScanLock({ lockFile, wait: true }, async () => 'third', { stderr });
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await first).toBe('first');
    expect(await waiting).toBe('third');
    expect(lines.join('')).toMatch(/waiting \(--wait\)/);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('releases the lock when the run throws', async () => {
    const lockFile = fresh();
    await expect(withScanLock({ lockFile }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lockFile)).toBe(false);
  });
});
