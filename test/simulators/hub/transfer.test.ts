import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../protocol/framing/index.ts';
import { DeviceErrorCode, MessageType, RejectReason, SlotState, type Reply } from '../../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../../simulators/index.ts';
import { hostFor, image, makeHub, sha, V2 } from '../helpers/fixture.ts';
import type { TestHost } from '../helpers/testHost.ts';

let hub: SimulatedHub;
let host: TestHost;
afterEach(() => {
  host?.close();
  hub?.close();
});

const img = image(V2);
const begin = { kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) } as const;
const write = (from: number, to: number) => ({ kind: 'write', offset: from, data: img.subarray(from, to) }) as const;

/** Replies to writes since the last barrier: a STATUS round trip orders everything before it. */
async function writeReplies(): Promise<Reply[]> {
  const before = host.replies.length;
  await host.request({ kind: 'status' });
  return host.replies.slice(before).filter((r) => r.kind !== 'status-reply');
}

async function started(): Promise<void> {
  hub = makeHub();
  host = hostFor(hub);
  await host.connect();
  expect((await host.request(begin)).kind).toBe('begin-reply');
  host.replies.length = 0;
}

describe('writes, acknowledgements and NAKs', () => {
  it('NAKs a gap once with the expected offset, stays quiet until the host goes back', async () => {
    await started();
    host.send(write(4096, 8192));
    host.send(write(8192, 12288));
    host.send(write(12288, 16384 > img.length ? img.length : 16384));
    expect(await writeReplies()).toEqual([
      { kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.WrongOffset, arg: 0, detail: expect.any(String) },
    ]);
    host.send(write(0, 4096));
    host.send(write(8192, 12288));
    const after = await writeReplies();
    expect(after.filter((r) => r.kind === 'write-ack').map((r) => (r as { receivedOffset: number }).receivedOffset)).toContain(4096);
    expect(after.filter((r) => r.kind === 'error')).toMatchObject([{ code: DeviceErrorCode.WrongOffset, arg: 4096 }]);
  });

  it('treats duplicate and overlapping writes as harmless', async () => {
    await started();
    host.send(write(0, 4096));
    host.send(write(0, 4096));
    host.send(write(2048, 6144));
    const replies = await writeReplies();
    expect(replies.filter((r) => r.kind === 'error')).toEqual([]);
    // write 0-4096, its block's commit, the duplicate (discarded), the overlap (trimmed, accepted)
    expect(replies.filter((r) => r.kind === 'write-ack').map((r) => (r as { receivedOffset: number }).receivedOffset)).toEqual([4096, 4096, 4096, 6144]);
    await host.transfer(img);
    expect(await host.request({ kind: 'verify' })).toEqual({ kind: 'verify-reply', sha256: sha(img), size: img.length });
  });

  it('NAKs a corrupt frame while receiving with BadCrc and the expected offset, once', async () => {
    await started();
    host.send(write(0, 4096));
    const frame = encodeFrame({ type: MessageType.Write, seq: 99, payload: Buffer.alloc(40, 7) });
    frame[10]! ^= 0x40;
    host.stream.write(frame);
    host.stream.write(frame);
    const replies = await writeReplies();
    expect(replies.filter((r) => r.kind === 'error')).toMatchObject([{ code: DeviceErrorCode.BadCrc, arg: 4096 }]);
  });

  it('refuses a write past the image end, and writes with no image (BadState)', async () => {
    await started();
    host.send({ kind: 'write', offset: img.length - 10, data: new Uint8Array(20) });
    expect(await writeReplies()).toMatchObject([{ kind: 'error', code: DeviceErrorCode.BadRequest }]);
    await host.request({ kind: 'abort' });
    host.send(write(0, 100));
    expect(await writeReplies()).toMatchObject([{ kind: 'error', code: DeviceErrorCode.BadState, arg: SlotState.Empty }]);
  });

  it('resumes after a power cut from the committed offset; RAM data above it is lost', async () => {
    await started();
    host.send(write(0, 4096));
    host.send({ kind: 'write', offset: 4096, data: img.subarray(4096, 6000) });
    await writeReplies();
    expect(hub.snapshot()).toMatchObject({ receivedOffset: 6000, committedOffset: 4096 });
    hub.powerCut();
    expect(hub.snapshot()).toMatchObject({ powered: false, slotState: SlotState.Receiving, committedOffset: 4096 });
    await hub.powerOn();
    await host.connect();
    const status = await host.request({ kind: 'status' });
    expect(status).toMatchObject({ slotState: SlotState.Receiving, receivedOffset: 4096, committedOffset: 4096 });
    const resumed = await host.transfer(img);
    expect(resumed).toMatchObject({ kind: 'begin-reply', resumeOffset: 4096 });
    expect(await host.request({ kind: 'verify' })).toMatchObject({ sha256: sha(img) });
  });

  it('ABORT empties the staged slot, repeatedly and harmlessly; a new BEGIN starts at 0', async () => {
    await started();
    host.send(write(0, 4096));
    await writeReplies();
    expect(await host.request({ kind: 'abort' })).toEqual({ kind: 'abort-reply' });
    expect(await host.request({ kind: 'abort' })).toEqual({ kind: 'abort-reply' });
    expect(await host.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Empty, stagedSize: 0, receivedOffset: 0 });
    expect(await host.request(begin)).toMatchObject({ kind: 'begin-reply', resumeOffset: 0 });
  });

  it('answers BadState for lifecycle commands in the wrong state, and refuses odd BEGINs', async () => {
    hub = makeHub();
    host = hostFor(hub);
    await host.connect();
    expect(await host.request({ kind: 'verify' })).toMatchObject({ code: DeviceErrorCode.BadState, arg: SlotState.Empty });
    expect(await host.request({ kind: 'activate' })).toMatchObject({ code: DeviceErrorCode.BadState, arg: SlotState.Empty });
    expect(await host.request({ ...begin, size: 64 * 1024 * 1024 })).toMatchObject({ code: DeviceErrorCode.ImageRejected, arg: RejectReason.TooLarge });
    expect(await host.request({ ...begin, size: 100 })).toMatchObject({ code: DeviceErrorCode.BadRequest });
    await host.request(begin);
    expect(await host.request({ kind: 'activate' })).toMatchObject({ code: DeviceErrorCode.BadState, arg: SlotState.Receiving });
    await host.transfer(img);
    await host.request({ kind: 'activate' });
    await host.requestUntilAnswered({ kind: 'identify' });
    expect(await host.request({ kind: 'abort' })).toMatchObject({ code: DeviceErrorCode.BadState, arg: SlotState.Trial });
    expect(await host.request(begin)).toMatchObject({ code: DeviceErrorCode.BadState, arg: SlotState.Trial });
    host.send(write(0, 10));
    expect(await writeReplies()).toMatchObject([{ code: DeviceErrorCode.BadState, arg: SlotState.Trial }]);
  });

  it('answers an unknown request type with Unsupported, a short one with BadRequest, and never answers a reply', async () => {
    hub = makeHub();
    host = hostFor(hub);
    host.stream.write(encodeFrame({ type: 0x42, seq: 7, payload: new Uint8Array(0) }));
    host.stream.write(encodeFrame({ type: MessageType.Begin, seq: 8, payload: new Uint8Array(10) }));
    host.stream.write(encodeFrame({ type: MessageType.IdentifyReply, seq: 9, payload: new Uint8Array(10) }));
    expect(await writeReplies()).toMatchObject([
      { kind: 'error', requestType: 0x42, code: DeviceErrorCode.Unsupported, arg: 1 },
      { kind: 'error', requestType: MessageType.Begin, code: DeviceErrorCode.BadRequest },
    ]);
  });

  it('answers IDENTIFY during a long VERIFY and Busy (with a retry delay) to other commands', async () => {
    hub = makeHub({ flash: { eraseMs: 0, programMs: 0, settingsWriteMs: 0, readBytesPerSec: 25_000, signatureCheckMs: 0 } });
    host = hostFor(hub);
    await host.connect();
    await host.transfer(img);
    const verifying = host.request({ kind: 'verify' });
    expect(await host.request({ kind: 'identify' })).toMatchObject({ kind: 'identify-reply', slotState: SlotState.Complete });
    const busy = await host.request({ kind: 'abort' });
    expect(busy).toMatchObject({ kind: 'error', requestType: MessageType.Abort, code: DeviceErrorCode.Busy });
    expect((busy as { arg: number }).arg).toBeGreaterThan(0);
    expect((busy as { arg: number }).arg).toBeLessThanOrEqual(Math.ceil((img.length / 25_000) * 1000));
    expect(await verifying).toMatchObject({ sha256: sha(img) });
    expect(await host.request({ kind: 'status' })).toMatchObject({ slotState: SlotState.Verified });
  });
});
