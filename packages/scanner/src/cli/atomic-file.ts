/**
 * The one place result files are written: atomically and private. A report names the devices of a
 * home (and with --show-secrets their tokens), so it is created 0600; a reader (a cron job's mail,
 * a web server) never sees half a file, because the bytes go to a temp file in the same directory
 * (same filesystem, so rename is atomic), are fsync'd, and only then renamed over the target.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode; default 0o600 (owner read/write only), applied with fchmod so the umask cannot widen it. */
  mode?: number;
}

/**
 * Write `data` to `path` atomically: temp file beside it, write, fsync, rename; then fsync the
 * directory (best effort) so the rename survives a crash. The temp file is removed on failure.
 * @example await writeFileAtomic('/var/lib/xmscan/report.json', json)
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse an existing file (a planted symlink at the temp name fails here).
  const fh = await fs.open(tmp, 'wx', mode);
  let renamed = false;
  try {
    await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await fs.unlink(tmp).catch(() => undefined);
    }
  }
  // The rename is durable only once the directory entry is on disk; some filesystems refuse a
  // directory fsync (EISDIR/EINVAL/EPERM), which does not make the write itself wrong.
  try {
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort */
  }
}
