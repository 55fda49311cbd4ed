import { afterEach, describe, expect, it } from 'vitest';
import { BASE_HEADER_LENGTH, SIGNATURE_LENGTH } from '../../../protocol/image/constants.ts';
import { DeviceErrorCode, MessageType, RejectReason, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../../simulators/index.ts';
import { closeRigs, image, once, repliesSince, rig, sha, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

let hub: SimulatedHub;
let host: TestHost;
afterEach(closeRigs);

const img = image(V2);
const beginOf = (i: Uint8Array, size = i.length) => ({ kind: 'begin', imageHash: sha(i), size, version: V2, signature: i.subarray(-64) }) as const;
const write = (from: number, to: number, i = img) => ({ kind: 'write', offset: from, data: i.subarray(from, to) }) as const;

const writeReplies = (): Promise<Reply[]> => repliesSince(host, host.replies.length);

async function started(opts?: Parameters<typeof rig>[0], i = img): Promise<void> {
  ({ hub, host } = rig(opts));
  await host.connect();
  expect((await host.request(beginOf(i))).kind).toBe('begin-reply');
}

describe('transfer rules of docs/simulator.md and docs/protocol.md section 2', () => {
  it('power-loss@offset=N fires on the WRITE that reaches exactly N, before it is acknowledged', async () => {
    await started({ faults: { powerLoss: [{ offset: 4096 }] } });
    const cut = once(hub, 'power-cut');
    host.send(write(0, 4096));
    await cut;
    expect(host.replies.filter((r) => r.kind === 'write-ack')).toEqual([]);
    await hub.powerOn();
    expect(hub.snapshot()).toMatchObject({ committedOffset: 0, receivedOffset: 0 });
  });

  it.each([
    ['begin', SlotState.Empty, []], // when the request arrives, before it is handled
    ['write', SlotState.Receiving, ['begin-reply']], // the first WRITE, before it is handled
    ['commit', SlotState.Receiving, ['begin-reply', 'write-ack']], // during the first block's commit: the previous settings stay
  ] as const)('power-loss@step=%s cuts power there; the hub comes back in state %s at offset 0', async (step, slotState, replies) => {
    ({ hub, host } = rig({ faults: { powerLoss: [{ step }] } }));
    await host.connect();
    const cut = once(hub, 'power-cut');
    host.send(beginOf(img));
    if (step !== 'begin') host.send(write(0, 4096)); // else it would reach the hub after it is back on
    await cut;
    await hub.powerOn();
    expect(hub.snapshot()).toMatchObject({ slotState, committedOffset: 0, receivedOffset: 0 });
    expect(host.replies.map((r) => r.kind)).toEqual(['connect-reply', ...replies]);
  });

  it('a stall and a power loss at the same point both happen (line faults first)', async () => {
    await started({ faults: { powerLoss: [{ offset: 4096 }], stall: [{ ms: 5, at: { offset: 4096 } }] } });
    const events: string[] = [];
    hub.on('stall', () => events.push('stall'));
    hub.on('power-cut', () => events.push('power-cut'));
    const cut = once(hub, 'power-cut');
    host.send(write(0, 4096));
    await cut;
    expect(events).toEqual(['stall', 'power-cut']);
  });

  it('a WRITE at the NAKed offset re-arms the NAK, even one that moves nothing', async () => {
    await started();
    host.send(write(4096, 8192));
    host.send(write(4096, 8192));
    expect(await writeReplies()).toMatchObject([{ kind: 'error', code: DeviceErrorCode.WrongOffset, arg: 0 }]);
    host.send(write(0, 0)); // at the expected offset: a retransmission of nothing, acknowledged
    host.send(write(4096, 8192));
    expect(await writeReplies()).toMatchObject([
      { kind: 'write-ack', receivedOffset: 0 },
      { kind: 'error', code: DeviceErrorCode.WrongOffset, arg: 0 },
    ]);
  });

  it('NAKs Busy, with the expected offset, a WRITE past the window when the flash has freed nothing', async () => {
    const big = image(V2, { payloadBytes: 6 * 4096 });
    await started({ flash: { eraseMs: 60_000 } }, big); // the first erase outlasts the test
    const replies: Reply[] = [];
    for (let o = 0; o < 5 * 4096; o += 4096) host.send(write(o, o + 4096, big));
    replies.push(...(await writeReplies()));
    expect(replies.map((r) => (r.kind === 'write-ack' ? r.receivedOffset : r.kind))).toEqual([4096, 8192, 12288, 16384, 'error']);
    expect(replies[4]).toMatchObject({ requestType: MessageType.Write, code: DeviceErrorCode.Busy, arg: 16384 });
  });

  it('erases each block of a re-used staged slot before programming it: a second image after ABORT reads back intact', async () => {
    const first = image(V2, { payloadBytes: 3 * 4096 + 1000, version: V2 + 1 });
    await started(undefined, first);
    await host.transfer(first);
    expect(await host.request({ kind: 'abort' })).toEqual({ kind: 'abort-reply' });
    await host.transfer(img);
    expect(await host.request({ kind: 'verify' })).toEqual({ kind: 'verify-reply', sha256: sha(img), size: img.length });
  });

  it('takes images from a header plus signature to exactly the slot size; refuses one byte less (BadRequest) or more (TooLarge)', async () => {
    ({ hub, host } = rig({ slotSize: 16384 }));
    await host.connect();
    const least = BASE_HEADER_LENGTH + SIGNATURE_LENGTH;
    expect(await host.request(beginOf(img, least - 1))).toMatchObject({ kind: 'error', code: DeviceErrorCode.BadRequest });
    expect(await host.request(beginOf(img, least))).toMatchObject({ kind: 'begin-reply', resumeOffset: 0 });
    expect(await host.request(beginOf(img, 16385))).toMatchObject({ kind: 'error', code: DeviceErrorCode.ImageRejected, arg: RejectReason.TooLarge });
    expect(await host.request(beginOf(img, 16384))).toMatchObject({ kind: 'begin-reply', resumeOffset: 0 });
  });

  it('resumes only the same image (same hash and size): another size starts again at 0', async () => {
    await started();
    host.send(write(0, 4096));
    await writeReplies();
    expect(await host.request(beginOf(img))).toMatchObject({ kind: 'begin-reply', resumeOffset: 4096 });
    expect(await host.request(beginOf(img, img.length - 1))).toMatchObject({ kind: 'begin-reply', resumeOffset: 0 });
    expect(await host.request({ kind: 'status' })).toMatchObject({ stagedSize: img.length - 1, receivedOffset: 0 });
  });

  it('a BEGIN of another image after VERIFY leaves Verified: the new one is Receiving', async () => {
    await started();
    await host.transfer(img);
    await host.request({ kind: 'verify' });
    expect(await host.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Verified });
    const other = image(V2 + 1);
    expect(await host.request(beginOf(other))).toMatchObject({ kind: 'begin-reply', resumeOffset: 0 });
    expect(await host.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Receiving });
  });

  it('a hub that is off reports a fully committed image as Complete', async () => {
    await started();
    await host.transfer(img);
    hub.powerCut();
    expect(hub.snapshot()).toMatchObject({ powered: false, slotState: SlotState.Complete, committedOffset: img.length });
  });
});
