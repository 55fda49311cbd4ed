import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { FrameDecoder, type Frame } from '../../../protocol/framing/index.ts';
import {
  decodeMessage,
  DeviceErrorCode,
  encodeMessage,
  errorFromReply,
  HanVariant,
  InstallState,
  MessageType,
  RejectReason,
  SlotState,
  toFrame,
  type Message,
} from '../../../protocol/messages/index.ts';

const hash = 'ab'.repeat(32);
const samples: Message[] = [
  { kind: 'connect', protocolVersion: 1, maxFrame: 4107 },
  { kind: 'connect-reply', protocolVersion: 1, maxFrame: 2059, credits: 8 },
  { kind: 'identify' },
  {
    kind: 'identify-reply',
    protocolVersion: 1,
    chfId: '00-DB-12-34-56-78-90-A0',
    gpfId: '00-DB-12-34-56-78-90-A1',
    manufacturerCode: 0x121d,
    manufacturer: 'Example Hubs Ltd',
    model: 'CH-2G-SB',
    hardwareVersion: 0x1111,
    imageType: 0,
    hanVariant: HanVariant.DualBand,
    runningVersion: 0x01260300,
    runningHash: hash,
    slotState: SlotState.Receiving,
    installState: InstallState.NotInstalled,
    lastBootFailed: true,
    maxFrame: 4107,
    credits: 16,
  },
  { kind: 'status' },
  { kind: 'status-reply', slotState: SlotState.Complete, stagedHash: hash, stagedSize: 1 << 20, stagedVersion: 0x02000100, receivedOffset: 4096, committedOffset: 0, credits: 3 },
  { kind: 'begin', imageHash: hash, size: 12345, version: 0xacdcacdc, signature: new Uint8Array(64).fill(7) },
  { kind: 'begin-reply', resumeOffset: 8192, credits: 8 },
  { kind: 'write', offset: 40960, data: Uint8Array.of(0, 1, 2, 0, 0, 255) },
  { kind: 'write-ack', receivedOffset: 40966, committedOffset: 40960, credits: 7 },
  { kind: 'verify' },
  { kind: 'verify-reply', sha256: hash, size: 361 },
  { kind: 'activate' },
  { kind: 'activate-reply', rebootMs: 1500 },
  { kind: 'confirm' },
  { kind: 'confirm-reply', runningVersion: 2, runningHash: hash },
  { kind: 'abort' },
  { kind: 'abort-reply' },
  { kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.WrongOffset, arg: 4096, detail: 'gap' },
];

/** Byte fields compare by content, whether Buffer or Uint8Array. */
function normalize(m: Message): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]));
}

function viaWire(message: Message, seq: number): { frame: Frame; message: Message } {
  const frames: Frame[] = [];
  new FrameDecoder({ maxFrame: 8192, onFrame: (f) => frames.push(f) }).push(encodeMessage(message, seq));
  expect(frames).toHaveLength(1);
  const decoded = decodeMessage(frames[0]!);
  if (!decoded.ok) throw decoded.error;
  return { frame: frames[0]!, message: decoded.message };
}

describe('maintenance messages', () => {
  it.each(samples.map((m) => [m.kind, m] as const))('%s round-trips through the wire', (_kind, message) => {
    const { frame, message: back } = viaWire(message, 0xbeef);
    expect(frame.seq).toBe(0xbeef);
    expect(normalize(back)).toEqual(normalize(message));
  });

  it('round-trips random writes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 2048 }), fc.integer({ min: 0, max: 0xffff }), (offset, data, seq) => {
        const { message } = viaWire({ kind: 'write', offset, data }, seq);
        expect(normalize(message)).toEqual(normalize({ kind: 'write', offset, data }));
      }),
    );
  });

  it('reports unknown types and short payloads as FrameMalformed, never throwing', () => {
    const unknown = decodeMessage({ type: 0x42, seq: 1, payload: new Uint8Array() });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(isHubflashError(unknown.error, ErrorCode.FrameMalformed)).toBe(true);
    const full = toFrame(samples[3]!, 1);
    const short = decodeMessage({ ...full, payload: full.payload.subarray(0, 20) });
    expect(short.ok).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }), (type, payload) => {
        const r = decodeMessage({ type, seq: 0, payload });
        if (!r.ok) expect(isHubflashError(r.error)).toBe(true);
      }),
    );
  });

  it('turns error replies into typed errors that carry what to do next', () => {
    const nak = errorFromReply({ kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.WrongOffset, arg: 8192, detail: '' });
    expect(nak.code).toBe(ErrorCode.DeviceWrongOffset);
    expect(nak.context.expectedOffset).toBe(8192);
    expect(nak.message).toMatch(/expects offset 8192/);
    const rejected = errorFromReply({ kind: 'error', requestType: MessageType.Activate, code: DeviceErrorCode.ImageRejected, arg: RejectReason.Downgrade, detail: '' });
    expect(rejected.code).toBe(ErrorCode.DeviceImageRejected);
    expect(rejected.context.reason).toBe('Downgrade');
    expect(rejected.message).toMatch(/not newer/);
    const busy = errorFromReply({ kind: 'error', requestType: MessageType.Begin, code: DeviceErrorCode.Busy, arg: 250, detail: 'erasing' });
    expect(busy.context.retryAfterMs).toBe(250);
    const crc = errorFromReply({ kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.BadCrc, arg: 100, detail: '' });
    expect(crc.code).toBe(ErrorCode.DeviceBadCrc);
    const flash = errorFromReply({ kind: 'error', requestType: MessageType.Write, code: DeviceErrorCode.FlashFailure, arg: 0x1000, detail: '' });
    expect(flash.code).toBe(ErrorCode.DeviceFlashFailure);
    expect(flash.message).toMatch(/0x1000/);
  });
});
