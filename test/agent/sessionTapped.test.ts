import { beforeAll, describe, expect, it } from 'vitest';
import { flashHub } from '../../agent/index.ts';
import { MessageType, SlotState } from '../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, type Firmware } from './fixtures.ts';
import { tapHub, type Edit, type TappedPort } from './tap.ts';

// A session against a simulated hub with the test in the middle of the line: replies and losses
// no healthy hub produces, on cue, and a record of every request the hub was sent.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(48 * 1024);
});

/** The flow-control window at the agreed frame: 8 credits × 2037 bytes. */
const WINDOW = 8 * 2037;

const cleanups = cleanupList();

const tapped = (hub: SimulatedHub, edits: { toHub?: Edit; toHost?: Edit } = {}): Promise<TappedPort> => tapHub(hub, edits, cleanups);

/** The commands the hub was sent, leaving out WRITE, and CONNECT and IDENTIFY (which every phase may send). */
const commands = (tap: TappedPort): string[] => tap.toHub.filter((k) => k !== 'connect' && k !== 'identify' && k !== 'write');

describe('a session, through a tap on the line', () => {
  it('a VERIFY read-back that differs from the image: ABORT discards the staged copy and nothing is activated', async () => {
    const hub = makeHub(fw, 40);
    const tap = await tapped(hub, { toHost: (m) => (m.kind === 'verify-reply' ? [{ ...m, sha256: 'ee'.repeat(32) }] : undefined) });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect(r).toMatchObject({ outcome: 'failed', error: { name: 'VerifyHashMismatch' } });
    expect(commands(tap)).toEqual(['status', 'begin', 'verify', 'abort']);
    const s = hub.snapshot();
    expect(s.slotState).toBe(SlotState.Empty);
    expect(s.stagedHash).toBeNull();
    expect(s.running).toMatchObject({ version: 0x01000000, trial: false });
  });

  it('a hub already in Trial on the image gets CONFIRM at once: no transfer, VERIFY or ACTIVATE again', async () => {
    const hub = makeHub(fw, 41);
    const tap = await tapped(hub);
    // A first flash cancelled once the hub has taken ACTIVATE: it reboots into the new image, on trial.
    const stop = new AbortController();
    const first = await flashHub({
      port: tap.port,
      image: fw.image,
      signal: stop.signal,
      keepOpen: true,
      onProgress: (p) => {
        if (p.phase === 'confirm') stop.abort();
      },
    });
    expect(first.error?.name).toBe('SessionAborted');
    expect(commands(tap)).toEqual(['status', 'begin', 'verify', 'activate']);
    await hub.powerOn(); // resolves once the reboot is over
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: true });

    tap.toHub.length = 0;
    // A new journal: the hub's own state is what sends the session to CONFIRM.
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(commands(tap)).toEqual(['confirm']);
    expect(tap.toHub).not.toContain('write');
    expect(r.bytesSent).toBe(0);
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  });

  it('a NAK repeated for the same offset re-sends one window, not one per NAK', async () => {
    const hub = makeHub(fw, 42);
    let dropped = false;
    const naks: number[] = [];
    const tap = await tapped(hub, {
      // The first WRITE is lost: the hub NAKs the next one (once), expecting offset 0 ...
      toHub: (m) => (m.kind === 'write' && !dropped ? ((dropped = true), []) : undefined),
      // ... and the line delivers that NAK twice.
      toHost: (m) => {
        if (m.kind !== 'error' || m.requestType !== MessageType.Write) return undefined;
        naks.push(m.arg);
        return [m, m];
      },
    });
    // Timeouts seconds long (as if the line were slow), so that only the NAKs can cause a re-send
    // even when a loaded machine stalls this process for a while.
    const r = await flashHub({ port: tap.port, image: fw.image, link: { timing: { latencyMs: 1000 } } });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(naks).toEqual([0]);
    expect(tap.toHost.filter((k) => k === 'error')).toHaveLength(2);
    // The whole first window went out before the NAK came back: going back to 0 re-sends it once.
    expect(r.bytesResent).toBeGreaterThan(0);
    expect(r.bytesResent).toBeLessThanOrEqual(WINDOW);
    expect(hub.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
  });
});
