import { beforeAll, describe, expect, it } from 'vitest';
import { flashHub } from '../../agent/index.ts';
import { DeviceErrorCode, MessageType, SlotState, type Message } from '../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { cleanupList, makeFirmware, makeHub, type Firmware } from './fixtures.ts';
import { tapHub, type Edit, type TappedPort } from './tap.ts';

// The transfer's rules for replies a healthy line does not produce on cue, with the test in the
// middle of the line: WRITE-ACKs that go back, Busy for a WRITE, and the last messages lost.

let fw: Firmware;
beforeAll(() => {
  fw = makeFirmware(24 * 1024);
});

// The tests run at once (most of their time is a progress timeout going by): each has its own hub and line.
const cleanups = cleanupList('file');

const tapped = (hub: SimulatedHub, edits: { toHub?: Edit; toHost?: Edit } = {}): Promise<TappedPort> => tapHub(hub, edits, cleanups);

/** Replaces the nth message of a kind (1-based) with what `change` makes of it. */
function nth(kind: Message['kind'], n: number, change: (m: Message) => Message[]): Edit {
  let seen = 0;
  return (m) => (m.kind === kind && ++seen === n ? change(m) : undefined);
}

const begins = (tap: TappedPort): number => tap.toHub.filter((k) => k === 'begin').length;

describe.concurrent('the transfer', () => {
  it('takes a WRITE-ACK whose received offset went back as a hub that restarted: it reconnects', async () => {
    const hub = makeHub(fw, 90);
    const tap = await tapped(hub, { toHost: nth('write-ack', 4, (m) => [{ ...m, receivedOffset: 0 } as Message]) });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(begins(tap)).toBe(2);
    // Re-sent bytes are counted as such, to the byte: every byte of the image went out new once.
    expect(r.bytesSent - r.bytesResent).toBe(fw.image.size);
  });

  it('ends on a Busy reply to a WRITE rather than going back to its argument as an offset', async () => {
    const hub = makeHub(fw, 91);
    const busy: Message = { kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.Busy, arg: 0, detail: 'busy' };
    const tap = await tapped(hub, { toHost: nth('write-ack', 1, () => [busy]) });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(begins(tap)).toBe(2);
    // Re-sent bytes are counted as such, to the byte: every byte of the image went out new once.
    expect(r.bytesSent - r.bytesResent).toBe(fw.image.size);
  });

  it('the WRITE-ACKs for the last bytes lost: STATUS shows the slot complete and the transfer ends without reconnecting', async () => {
    const hub = makeHub(fw, 92);
    const tap = await tapped(hub, { toHost: (m) => (m.kind === 'write-ack' && m.receivedOffset >= fw.image.size ? [] : undefined) });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error, r.resumes, r.bytesResent]).toEqual(['verified', undefined, 0, 0]);
    expect(begins(tap)).toBe(1);
    expect(tap.toHub.filter((k) => k === 'status').length).toBeGreaterThanOrEqual(2);
  });

  it('the last WRITE lost (no later frame for the hub to NAK): STATUS, asked again when its reply is lost, then it goes back and re-sends it', async () => {
    const hub = makeHub(fw, 93);
    let dropped = false;
    const tap = await tapped(hub, {
      toHub: (m) => (m.kind === 'write' && !dropped && m.offset + m.data.length >= fw.image.size ? ((dropped = true), []) : undefined),
      // The first STATUS reply is the session's own, before BEGIN; the second is the transfer's.
      toHost: nth('status-reply', 2, () => []),
    });
    // One probe without progress allowed: this one makes progress.
    const r = await flashHub({ port: tap.port, image: fw.image, policy: { transferRetries: 1 } });
    expect([r.outcome, r.error, r.resumes]).toEqual(['verified', undefined, 0]);
    expect(dropped).toBe(true);
    expect(begins(tap)).toBe(1);
    expect(r.bytesResent).toBeGreaterThan(0);
    expect(r.bytesResent).toBeLessThanOrEqual(2037);
  });

  it('a STATUS whose received offset went back is a hub that restarted: it reconnects', async () => {
    const hub = makeHub(fw, 94);
    let dropped = false;
    const tap = await tapped(hub, {
      toHub: (m) => (m.kind === 'write' && !dropped && m.offset + m.data.length >= fw.image.size ? ((dropped = true), []) : undefined),
      toHost: nth('status-reply', 2, (m) => [{ ...m, receivedOffset: 0 } as Message]),
    });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(begins(tap)).toBe(2);
  });

  it('a STATUS showing the slot no longer receiving (and not complete) ends the transfer: it reconnects', async () => {
    const hub = makeHub(fw, 95);
    let dropped = false;
    const tap = await tapped(hub, {
      toHub: (m) => (m.kind === 'write' && !dropped && m.offset + m.data.length >= fw.image.size ? ((dropped = true), []) : undefined),
      toHost: nth('status-reply', 2, (m) => [{ ...m, slotState: SlotState.Empty } as Message]),
    });
    const r = await flashHub({ port: tap.port, image: fw.image });
    expect([r.outcome, r.error]).toEqual(['verified', undefined]);
    expect(begins(tap)).toBe(2);
  });

  it('counts probes without progress in a row: progress between two stalls starts the count again', async () => {
    const hub = makeHub(fw, 96);
    // The second-to-last frame's offset (2037 data bytes a frame): both tail frames are lost once.
    const tail = (Math.ceil(fw.image.size / 2037) - 2) * 2037;
    const dropped = new Set<number>();
    const tap = await tapped(hub, {
      toHub: (m) => (m.kind === 'write' && m.offset >= tail && !dropped.has(m.offset) ? (dropped.add(m.offset), []) : undefined),
      // Re-sent, the first is acknowledged (progress) but the last one's WRITE-ACK is lost: a second stall.
      toHost: (m) => (m.kind === 'write-ack' && m.receivedOffset >= fw.image.size ? [] : undefined),
    });
    const r = await flashHub({ port: tap.port, image: fw.image, policy: { transferRetries: 1 } });
    expect([r.outcome, r.error, r.resumes]).toEqual(['verified', undefined, 0]);
    expect(dropped.size).toBe(2);
    expect(begins(tap)).toBe(1);
  });
});
