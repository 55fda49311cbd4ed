import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

/**
 * Between creating the lock file and writing its pid an owner takes microseconds: a lock file
 * still empty after this long was left by a process that died in between (a power cut, a
 * SIGKILL), and is taken over rather than blocking every later taker.
 */
const EMPTY_STALE_MS = 5_000;

/**
 * A lock between processes sharing a data dir (the server and `hubflash rig add`): a file
 * created exclusively, holding the owner's pid. A lock whose owner is dead is taken over.
 */
export async function withFileLock<T>(lockPath: string, body: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (tryLock(lockPath)) break;
    if (Date.now() > deadline) {
      throw new HubflashError(ErrorCode.DataDirLocked, `Timed out waiting for the lock ${lockPath} (held by pid ${ownerOf(lockPath) ?? '?'})`, { lockPath });
    }
    await sleep(delay);
  }
  try {
    return await body();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function tryLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = ownerOf(lockPath);
  if (owner === undefined) {
    // Empty: its owner is between create and write (wait for it), or died there long ago.
    if (ageMs(lockPath) > EMPTY_STALE_MS) rmSync(lockPath, { force: true });
  } else if (owner !== process.pid && !isAlive(owner)) {
    rmSync(lockPath, { force: true });
  }
  return false;
}

function ownerOf(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** How long ago the file was last written; 0 when it is gone. */
function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
