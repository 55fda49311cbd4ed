import { Level } from 'level';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { flashHub, Journal, type AgentLogger, type Checkpoint } from '../../agent/index.ts';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { makeFirmware, makeHub, memoryPort, tempDir, type Firmware } from './fixtures.ts';

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(64 * 1024);
});
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function checkpoint(over: Partial<Checkpoint> = {}): Checkpoint {
  return {
    chfId: '00-DB-12-5A-00-00-00-01',
    imageHash: 'ab'.repeat(32),
    size: 1000,
    phase: 'transfer',
    committedOffset: 4096,
    sentOffset: 8000,
    bytesSent: 8000,
    bytesResent: 0,
    resumes: 0,
    phases: { connect: 3, transfer: 100 },
    from: { version: '01000000', hash: 'cd'.repeat(32) },
    startedAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    port: '/dev/x',
    ...over,
  };
}

function recordingLogger(): AgentLogger & { warnings: Array<{ obj: object; msg?: string }> } {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const nothing = (): void => {};
  return { warnings, debug: nothing, info: nothing, error: nothing, warn: (obj, msg) => void warnings.push({ obj, ...(msg ? { msg } : {}) }) };
}

describe('Journal', () => {
  it('syncs every save to disk before it resolves (a power cut, not just a crash, keeps it)', async () => {
    const t = tempDir('hf-journal-');
    cleanups.push(t.remove);
    const batch = vi.spyOn(Level.prototype, 'batch');
    cleanups.push(() => batch.mockRestore());
    const j = await Journal.open(t.dir);
    cleanups.push(() => j.close());
    await Promise.all([j.save(checkpoint()), j.save(checkpoint({ chfId: '00-DB-12-5A-00-00-00-02' }))]);
    expect(batch.mock.calls.length).toBeGreaterThan(0);
    for (const call of batch.mock.calls as unknown[][]) expect(call[1]).toMatchObject({ sync: true });
  });

  it('keeps checkpoints by hub and image across a reopen', async () => {
    const t = tempDir('hf-journal-');
    cleanups.push(t.remove);
    const j = await Journal.open(t.dir);
    await j.save(checkpoint());
    await j.save(checkpoint({ imageHash: 'ef'.repeat(32), committedOffset: 0 }));
    await j.close();
    const again = await Journal.open(t.dir);
    cleanups.push(() => again.close());
    expect((await again.load('00-DB-12-5A-00-00-00-01', 'ab'.repeat(32)))?.committedOffset).toBe(4096);
    expect(await again.load('00-DB-12-5A-00-00-00-02', 'ab'.repeat(32))).toBeUndefined();
    expect((await again.list()).length).toBe(2);
  });

  it('ignores a record that does not read back, and says so', async () => {
    const t = tempDir('hf-journal-');
    cleanups.push(t.remove);
    const raw = new Level<string, string>(t.dir, { valueEncoding: 'utf8' });
    await raw.put(`s!00-DB-12-5A-00-00-00-01!${'ab'.repeat(32)}`, '{not json');
    await raw.close();
    const log = recordingLogger();
    const j = await Journal.open(t.dir, log);
    cleanups.push(() => j.close());
    expect(await j.load('00-DB-12-5A-00-00-00-01', 'ab'.repeat(32))).toBeUndefined();
    expect(log.warnings[0]?.obj).toMatchObject({ code: 'HF0504' });
  });

  it('says JournalUnavailable when another agent holds the folder', async () => {
    const t = tempDir('hf-journal-');
    cleanups.push(t.remove);
    const j = await Journal.open(t.dir);
    cleanups.push(() => j.close());
    const err = await Journal.open(t.dir).catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.JournalUnavailable)).toBe(true);
  });

  it('when the journal and the hub disagree, the hub wins and the disagreement is logged', async () => {
    const t = tempDir('hf-journal-');
    cleanups.push(t.remove);
    const hub = makeHub(fw, 5);
    await hub.powerOn();
    const mem = memoryPort(hub);
    cleanups.push(() => {
      mem.close();
      hub.close();
    });
    const j = await Journal.open(t.dir);
    cleanups.push(() => j.close());
    // The journal claims half the image is on the hub; the hub's staged slot is empty.
    await j.save(checkpoint({ chfId: hub.identity.chfId, imageHash: fw.image.sha256, size: fw.image.size, committedOffset: 32 * 1024, sentOffset: 36 * 1024 }));
    const log = recordingLogger();
    const r = await flashHub({ port: mem.port, image: fw.image, journal: j, logger: log });
    expect(r.outcome).toBe('verified');
    expect(r.resumes).toBe(1);
    expect(hub.snapshot().running.hash).toBe(fw.image.sha256);
    const warning = log.warnings.find((w) => (w.obj as { code?: string }).code === 'HF0505');
    expect(warning?.obj).toMatchObject({ journal: { committedOffset: 32 * 1024 }, hub: { committedOffset: 0 } });
    // Finished flashes are closed in the journal: the next flash of this hub starts afresh.
    expect((await j.load(hub.identity.chfId, fw.image.sha256))?.outcome).toBe('verified');
  });
});
