import { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createTransport, Link } from '../../agent/index.ts';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { FrameDecoder } from '../../protocol/framing/index.ts';
import { decodeMessage, DeviceErrorCode, encodeMessage, MessageType, SlotState, type Message, type StatusReply } from '../../protocol/messages/index.ts';

// The link against a scripted device: replies no simulated hub would send, on cue.

/** A device that answers each request it decodes with whatever `answer` returns (each with its own seq). */
function scriptedDevice(answer: (m: Message, seq: number) => Array<[Message, number]>): Duplex {
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      decoder.push(chunk);
      done();
    },
  });
  const decoder = new FrameDecoder({
    maxFrame: 4096,
    onFrame: (frame) => {
      const d = decodeMessage(frame);
      if (d.ok) for (const [reply, seq] of answer(d.message, frame.seq)) stream.push(encodeMessage(reply, seq));
    },
  });
  return stream;
}

const connectReply = (protocolVersion: number): Message => ({ kind: 'connect-reply', protocolVersion, maxFrame: 2048, credits: 8 });
const status = (receivedOffset: number): StatusReply => ({
  kind: 'status-reply',
  slotState: SlotState.Receiving,
  stagedHash: 'ab'.repeat(32),
  stagedSize: 100_000,
  stagedVersion: 0x02000000,
  receivedOffset,
  committedOffset: receivedOffset,
  credits: 8,
});

async function linkTo(device: Duplex): Promise<Link> {
  const link = new Link(createTransport({ kind: 'stream', stream: device, name: 'scripted', bytesPerSecond: 1_000_000, latencyMs: 1 }));
  await link.open();
  return link;
}

describe('the link against a scripted device', () => {
  it('refuses a hub that speaks another protocol version', async () => {
    const link = await linkTo(scriptedDevice((m, seq) => (m.kind === 'connect' ? [[connectReply(2), seq]] : [])));
    const err = await link.connect().catch((e: unknown) => e);
    expect(isHubflashError(err, ErrorCode.DeviceProtocolMismatch)).toBe(true);
    await link.close();
  });

  it("takes a request's reply only from the reply carrying its sequence number, not a late one to an earlier attempt", async () => {
    const seen: number[] = [];
    const link = await linkTo(
      scriptedDevice((m, seq) => {
        if (m.kind === 'connect') return [[connectReply(1), seq]];
        if (m.kind !== 'status') return [];
        seen.push(seq);
        // The first attempt goes unanswered; its reply turns up late, just before the retry's own.
        return seen.length === 1 ? [] : [[status(111), seen[0]!], [status(222), seq]];
      }),
    );
    await link.connect();
    const reply = await link.request({ kind: 'status' }, { timeoutMs: 100, retries: 1 });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(reply.receivedOffset).toBe(222);
    await link.close();
  });

  it('waits out a Busy reply for the milliseconds the hub names, then asks again and takes the answer', async () => {
    const asked: number[] = [];
    const link = await linkTo(
      scriptedDevice((m, seq) => {
        if (m.kind === 'connect') return [[connectReply(1), seq]];
        if (m.kind !== 'verify') return [];
        asked.push(performance.now());
        // Busy with a long operation the first time (protocol §3: arg = the milliseconds left).
        if (asked.length === 1) return [[{ kind: 'error', requestType: MessageType.Verify, code: DeviceErrorCode.Busy, arg: 80, detail: 'reading back' }, seq]];
        return [[{ kind: 'verify-reply', sha256: 'cd'.repeat(32), size: 100_000 }, seq]];
      }),
    );
    await link.connect();
    const reply = await link.request({ kind: 'verify' }, { retries: 1 });
    expect(reply).toEqual({ kind: 'verify-reply', sha256: 'cd'.repeat(32), size: 100_000 });
    expect(asked).toHaveLength(2);
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(75);
    await link.close();
  });
});
