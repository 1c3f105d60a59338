/**
 * One scan at a time: a lock file created with O_CREAT|O_EXCL (`wx`) holding `PID\nstartedAt\nhostname`.
 * A second scan finds it and either reports the lock and exits 0 (the default, right for a timer that
 * fired while the previous run still goes) or, with `--wait`, polls until it is free.
 *
 * Stale detection: a lock whose PID is not alive on this host (ESRCH), or whose content is unreadable
 * and older than a minute, is removed and creation retried. Known gap: if two runs find the same stale
 * lock at the same instant, both may unlink it; the rename-then-check below narrows that to a run that
 * removes a lock it had just verified as stale.
 *
 * Where: `--lock-file`, else `$RUNTIME_DIRECTORY` / `$STATE_DIRECTORY` (systemd), else
 * `$XDG_RUNTIME_DIR/xmscan`, else `$XDG_STATE_HOME/xmscan` (`~/.local/state/xmscan`).
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';

export const LOCK_FILE_NAME = 'scan.lock';

export type LockErrorCode = 'SCAN_ERR_LOCKED' | 'SCAN_ERR_LOCK_IO';

export class LockError extends Error {
  readonly code: LockErrorCode;
  /** PID of the run holding the lock (SCAN_ERR_LOCKED). */
  readonly holderPid: number | null;
  readonly path: string;
  constructor(code: LockErrorCode, message: string, path: string, holderPid: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockError';
    this.code = code;
    this.path = path;
    this.holderPid = holderPid;
  }
}

export interface LockHandle {
  path: string;
  /** Remove the lock (only if it is still ours). Idempotent. */
  release(): void;
}

export interface LockOptions {
  /** Poll until free instead of failing with SCAN_ERR_LOCKED. */
  wait?: boolean;
  /** Give up waiting after this many ms (SCAN_ERR_LOCKED). Default: no limit. */
  waitTimeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Injection for tests. */
  pid?: number;
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

export function defaultLockPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const first = (v: string | undefined) => v?.split(':')[0] || undefined;
  const systemd = first(env['RUNTIME_DIRECTORY']) ?? first(env['STATE_DIRECTORY']);
  if (systemd) return join(systemd, LOCK_FILE_NAME);
  if (env['XDG_RUNTIME_DIR']) return join(env['XDG_RUNTIME_DIR'], 'xmscan', LOCK_FILE_NAME);
  const state = env['XDG_STATE_HOME'] || join(home, '.local', 'state');
  return join(state, 'xmscan', LOCK_FILE_NAME);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still a live holder.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Holder {
  pid: number | null;
  host: string | null;
  raw: string;
}

function readHolder(path: string): Holder | null {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const [pidLine, , host] = raw.split('\n');
  const pid = /^\d{1,10}$/.test(pidLine ?? '') ? Number(pidLine) : null;
  return { pid, host: host?.trim() || null, raw };
}

/** One attempt: the handle, or the holder that has it (null holder = it vanished meanwhile, retry). */
function tryCreate(path: string, pid: number, now: () => number): LockHandle | 'busy' {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'busy';
    throw new LockError('SCAN_ERR_LOCK_IO', `cannot create lock ${path}: ${(err as Error).message}`, path, null, { cause: err });
  }
  const content = `${pid}\n${new Date(now()).toISOString()}\n${hostname()}\n`;
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(path, 'utf8') === content) unlinkSync(path);
      } catch {
        /* already gone */
      }
    },
  };
}

/** True if it removed a stale lock. */
function clearIfStale(path: string, isAlive: (pid: number) => boolean, now: () => number): boolean {
  const holder = readHolder(path);
  if (holder === null) return true; // gone: retry at once
  let stale: boolean;
  if (holder.pid === null) {
    // Being written right now, or junk: stale only once it is old.
    try {
      stale = now() - statSync(path).mtimeMs > 60_000;
    } catch {
      return true;
    }
  } else {
    stale = (holder.host === null || holder.host === hostname()) && !isAlive(holder.pid);
  }
  if (!stale) return false;
  // Move it aside, then check we moved the stale one (not a fresh lock created in between).
  const aside = `${path}.stale.${process.pid}.${now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // someone else cleared it
  }
  try {
    const moved = readFileSync(aside, 'utf8');
    if (moved !== holder.raw) {
      // A fresh lock: put it back if the slot is still free (best effort), else drop our copy.
      try {
        closeSync(openSync(path, 'wx'));
      } catch {
        unlinkSync(aside);
        return false;
      }
      renameSync(aside, path);
      return false;
    }
    unlinkSync(aside);
  } catch {
    /* best effort */
  }
  return true;
}

/**
 * Take the lock or throw LockError SCAN_ERR_LOCKED (holder PID in `holderPid`). With `wait`, polls
 * (default every 500 ms) until free, the signal aborts, or `waitTimeoutMs` passes.
 */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<LockHandle> {
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? processAlive;
  const now = opts.now ?? Date.now;
  const started = now();
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new LockError('SCAN_ERR_LOCK_IO', `cannot create lock directory ${dirname(path)}: ${(err as Error).message}`, path, null, { cause: err });
  }
  for (;;) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const got = tryCreate(path, pid, now);
      if (got !== 'busy') return got;
      if (!clearIfStale(path, isAlive, now)) break;
    }
    const holder = readHolder(path);
    const holderPid = holder?.pid ?? null;
    const timedOut = opts.waitTimeoutMs !== undefined && now() - started >= opts.waitTimeoutMs;
    if (!opts.wait || timedOut || opts.signal?.aborted) {
      throw new LockError(
        'SCAN_ERR_LOCKED',
        `another xmscan scan is running (pid ${holderPid ?? 'unknown'}, lock ${path})${opts.wait ? '; gave up waiting' : ''}`,
        path,
        holderPid,
      );
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, opts.pollMs ?? 500);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  }
}

/** Flags of the unattended-run options (`scan`). */
export interface UnattendedFlags {
  quiet?: boolean;
  wait?: boolean;
  lockFile?: string;
}

/** `--quiet`, `--wait`, `--lock-file` (scan). */
export function addUnattendedOptions(cmd: Command): Command {
  return cmd
    .option('-q, --quiet', 'unattended runs (cron, systemd timer): no report on stdout unless --json, no progress, errors only on stderr')
    .option('--wait', 'if another scan holds the lock, wait for it instead of exiting')
    .option('--lock-file <path>', 'lock file that keeps two scans from overlapping (default: scan.lock in $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR/xmscan or ~/.local/state/xmscan)');
}

/**
 * Run `fn` holding the scan lock. If another scan holds it: with `--wait` wait; otherwise print one
 * line on stderr (unless `--quiet`) and return null: the caller exits 0, as a timer-started run that
 * overlaps the previous one has nothing wrong to report.
 */
export async function withScanLock<T>(flags: UnattendedFlags, fn: () => Promise<T>, opts: { signal?: AbortSignal; stderr?: { write(s: string): unknown } } = {}): Promise<T | null> {
  const path = flags.lockFile ?? defaultLockPath();
  const stderr = opts.stderr ?? process.stderr;
  let handle: LockHandle;
  try {
    if (flags.wait && !flags.quiet) {
      // Say so at once if we are going to wait.
      try {
        handle = await acquireLock(path, {});
      } catch (err) {
        if ((err as LockError).code !== 'SCAN_ERR_LOCKED') throw err;
        stderr.write(`xmscan: ${(err as Error).message}; waiting (--wait)\n`);
        handle = await acquireLock(path, { wait: true, ...(opts.signal ? { signal: opts.signal } : {}) });
      }
    } else {
      handle = await acquireLock(path, { wait: flags.wait === true, ...(opts.signal ? { signal: opts.signal } : {}) });
    }
  } catch (err) {
    if ((err as LockError).code === 'SCAN_ERR_LOCKED' && !flags.wait) {
      if (!flags.quiet) stderr.write(`xmscan: ${(err as Error).message}; not starting a second one (exit 0; use --wait to queue)\n`);
      return null;
    }
    throw err;
  }
  const onExit = () => handle.release();
  process.once('exit', onExit);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', onExit);
    handle.release();
  }
}
