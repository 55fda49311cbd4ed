import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { LevelStore } from '../../../server/storage/LevelStore.ts';
import { abstractStoreTests } from './abstractStore.ts';

abstractStoreTests('LevelStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-level-'));
  return {
    open: () => LevelStore.open(dir),
    reopen: async (store) => {
      await store.close();
      return LevelStore.open(dir);
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

it('refuses a second opener of the same folder with DataDirLocked', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hubflash-level-'));
  const first = await LevelStore.open(dir);
  try {
    await LevelStore.open(dir).then(
      () => expect.unreachable('opened twice'),
      (err) => expect(isHubflashError(err, ErrorCode.DataDirLocked)).toBe(true),
    );
  } finally {
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
