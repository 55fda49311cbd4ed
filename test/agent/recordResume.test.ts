import { beforeAll, describe, expect, it } from 'vitest';
import { flashHub, MemoryStore, type Checkpoint, type FlashResult, type SessionProgress } from '../../agent/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, type Firmware } from './fixtures.ts';
import { tapHub, type Edit, type TappedPort } from './tap.ts';

// What a resumed session takes over from the journal's unfinished entry: byte counters (re-sent
// bytes counted as such across both attempts), time in each phase, what the hub ran before; and
// what it must not take over from a finished entry.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(32 * 1024);
});

const cleanups = cleanupList();

const tapped = (hub: SimulatedHub, edits: { toHub?: Edit; toHost?: Edit } = {}): Promise<TappedPort> => tapHub(hub, edits, cleanups);

/** A flash cancelled when `when` says so, leaving the port open. */
async function cancelled(tap: TappedPort, store: MemoryStore, when: (p: SessionProgress) => boolean): Promise<FlashResult> {
  const stop = new AbortController();
  const r = await flashHub({ port: tap.port, image: fw.image, journal: store, signal: stop.signal, keepOpen: true, onProgress: (p) => (when(p) ? stop.abort() : undefined) });
  expect(r.error?.name).toBe('SessionAborted');
  return r;
}

describe('a session resumed from the journal', () => {
  it('adds to the first attempt: bytes sent and re-sent (each image byte new once), resumes, and the time in each phase', async () => {
    // Flash slow enough that received bytes wait to be committed when the power goes.
    const hub = makeHub(fw, 110, { flash: { eraseMs: 3, programMs: 0.05 } });
    let writes = 0;
    // The third WRITE is lost once: the hub NAKs, and the first attempt re-sends bytes.
    const tap = await tapped(hub, { toHub: (m) => (m.kind === 'write' && ++writes === 3 ? [] : undefined) });
    const store = new MemoryStore();
    const first = await cancelled(tap, store, (p) => p.committedOffset > fw.image.size / 2);
    expect(first.bytesResent).toBeGreaterThan(0);
    // A power cut loses what was not committed: the resumed flash sends some bytes again.
    hub.powerCut();
    await hub.powerOn();
    const second = await flashHub({ port: tap.port, image: fw.image, journal: store });
    expect([second.outcome, second.error, second.resumes]).toEqual(['verified', undefined, 1]);
    expect(second.bytesResent).toBeGreaterThan(first.bytesResent);
    expect(second.bytesSent - second.bytesResent).toBe(fw.image.size);
    for (const [phase, ms] of Object.entries(first.phases)) expect(second.phases[phase as keyof typeof first.phases], phase).toBeGreaterThanOrEqual(ms);
    expect(second.startedAt).toBe(first.startedAt);
  });

  it('keeps what the hub ran before the flash, even when the hub already runs the new image', async () => {
    const hub = makeHub(fw, 111);
    const tap = await tapped(hub);
    const store = new MemoryStore();
    // Cancelled once ACTIVATE is taken: the hub reboots into the new image, on trial.
    await cancelled(tap, store, (p) => p.phase === 'confirm');
    await hub.powerOn();
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: true });
    const r = await flashHub({ port: tap.port, image: fw.image, journal: store });
    expect([r.outcome, r.error, r.resumes]).toEqual(['verified', undefined, 1]);
    expect(r.from?.version).toBe('01000000');
  });

  it('starts afresh when the journal entry for the hub and image is finished', async () => {
    const saves: Checkpoint[] = [];
    const store = new (class extends MemoryStore {
      override async save(c: Checkpoint): Promise<void> {
        await super.save(c);
        saves.push(structuredClone(c));
      }
    })();
    const before = makeHub(fw, 112);
    const progress: SessionProgress[] = [];
    const unsaved: SessionProgress[] = [];
    const onProgress = (p: SessionProgress): void => {
      progress.push(p);
      // Offsets are shown only once the journal holds them.
      if (p.committedOffset > 0 && !saves.some((c) => c.committedOffset === p.committedOffset)) unsaved.push(p);
    };
    const first = await flashHub({ port: (await tapped(before)).port, image: fw.image, journal: store, onProgress, policy: { checkpointMs: 0 } });
    expect(first.outcome).toBe('verified');
    // Along the way: progress names the hub once it is known, and every checkpoint counts the
    // time spent so far in the phase it is in (an agent that dies resumes with it).
    expect(progress.filter((p) => p.phase !== 'identify').map((p) => p.chfId)).toEqual(progress.filter((p) => p.phase !== 'identify').map(() => before.identity.chfId));
    const inTransfer = saves.filter((c) => c.phase === 'transfer' && c.committedOffset > 0);
    expect(inTransfer.length).toBeGreaterThan(0);
    for (const c of inTransfer) expect(c.phases.transfer).toBeGreaterThan(0);
    expect(unsaved).toEqual([]);
    // Each phase change is journaled as it happens, and shown with the offset saved by then.
    expect(new Set(saves.map((c) => c.phase))).toEqual(new Set(['check', 'transfer', 'verify', 'activate', 'confirm', 'done']));
    expect(progress.find((p) => p.phase === 'verify')?.committedOffset).toBeGreaterThan(0);
    // The report's times are whole milliseconds.
    for (const ms of Object.values(first.phases)) expect(Number.isInteger(ms)).toBe(true);
    // The same hub (same CHF ID) back from the factory image: a new flash, not a resume.
    const again = makeHub(fw, 112);
    const r = await flashHub({ port: (await tapped(again)).port, image: fw.image, journal: store });
    expect([r.outcome, r.resumes, r.bytesSent, r.from?.version]).toEqual(['verified', 0, fw.image.size, '01000000']);
    expect(Date.parse(r.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
  });
});
