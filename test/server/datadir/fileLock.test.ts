import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { withFileLock } from '../../../server/datadir/fileLock.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

async function lockError(lockPath: string, timeoutMs = 60): Promise<unknown> {
  let entered = false;
  const err = await withFileLock(lockPath, () => {
    entered = true;
  }, timeoutMs).then(() => undefined, (e: unknown) => e);
  expect(entered).toBe(false);
  return err;
}

describe('the data-dir file lock', () => {
  it('keeps a second taker out while held, writing the owner pid, and lets it in once released', async () => {
    const lockPath = path.join(tempDir(), 'x.lock');
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const first = withFileLock(lockPath, () => {
      held();
      return new Promise<void>((r) => (release = r));
    });
    await isHeld;
    expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
    const err = await lockError(lockPath);
    expect(isHubflashError(err, ErrorCode.DataDirLocked)).toBe(true);
    expect((err as Error).message).toContain(`${lockPath} (held by pid ${process.pid})`);
    release();
    await first;
    expect(existsSync(lockPath)).toBe(false);
    expect(await withFileLock(lockPath, () => 'second')).toBe('second');
    expect(existsSync(lockPath)).toBe(false);
  });

  it('releases the lock when the body throws', async () => {
    const lockPath = path.join(tempDir(), 'x.lock');
    await expect(withFileLock(lockPath, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose owner process is dead', async () => {
    const lockPath = path.join(tempDir(), 'x.lock');
    writeFileSync(lockPath, String(deadPid()));
    expect(await withFileLock(lockPath, () => readFileSync(lockPath, 'utf8'), 2000)).toBe(String(process.pid));
  });

  it('waits for a live other process, and for an owner that has not written its pid yet', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'live.lock');
    writeFileSync(live, String(process.ppid));
    const err = await lockError(live);
    expect([isHubflashError(err, ErrorCode.DataDirLocked), (err as Error).message]).toEqual([true, expect.stringContaining(`held by pid ${process.ppid}`)]);
    expect(readFileSync(live, 'utf8')).toBe(String(process.ppid));
    const empty = path.join(dir, 'empty.lock');
    writeFileSync(empty, '');
    expect(isHubflashError(await lockError(empty), ErrorCode.DataDirLocked)).toBe(true);
    expect(existsSync(empty)).toBe(true);
  });

  it('takes over a lock file left empty long ago (its owner died between creating it and writing its pid)', async () => {
    const lockPath = path.join(tempDir(), 'x.lock');
    writeFileSync(lockPath, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lockPath, minuteAgo, minuteAgo);
    expect(await withFileLock(lockPath, () => readFileSync(lockPath, 'utf8'), 2000)).toBe(String(process.pid));
    expect(existsSync(lockPath)).toBe(false);
  });
});
