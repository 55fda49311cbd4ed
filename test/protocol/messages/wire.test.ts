import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  decodeMessage,
  DeviceErrorCode,
  HanVariant,
  InstallState,
  isReplyType,
  MessageType,
  SlotState,
  toFrame,
  type Message,
} from '../../../protocol/messages/index.ts';

// The byte layout of every message, written out from the table in docs/protocol.md §3 rather
// than produced by the codecs: a round trip alone would not notice two fields swapped on both
// sides, or a type code moved, and a real hub speaks only the documented layout.

/** n as `size` bytes, little-endian. */
function le(n: number, size: 1 | 2 | 4): Buffer {
  const b = Buffer.alloc(size);
  b.writeUIntLE(n, 0, size);
  return b;
}
/** A u8 length and the UTF-8 bytes. */
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([le(b.length, 1), b]);
}
const hex = (h: string): Buffer => Buffer.from(h.replace(/[^0-9a-fA-F]/g, ''), 'hex');

const hashA = '0123456789abcdef'.repeat(4);
const hashB = 'fedcba9876543210'.repeat(4);
const signature = Uint8Array.from({ length: 64 }, (_, i) => i + 1);

/** Each message, its documented type code and its payload, with a distinct value in every field. */
const layouts: Array<{ message: Message; type: number; payload: Buffer }> = [
  { message: { kind: 'connect', protocolVersion: 1, maxFrame: 0x100b }, type: 0x01, payload: Buffer.concat([le(1, 1), le(0x100b, 2)]) },
  {
    message: { kind: 'connect-reply', protocolVersion: 2, maxFrame: 0x080b, credits: 9 },
    type: 0x81,
    payload: Buffer.concat([le(2, 1), le(0x080b, 2), le(9, 2)]),
  },
  { message: { kind: 'identify' }, type: 0x02, payload: Buffer.alloc(0) },
  {
    message: {
      kind: 'identify-reply',
      protocolVersion: 1,
      chfId: '00-DB-12-34-56-78-90-A0',
      gpfId: '00-DB-12-34-56-78-90-B1',
      manufacturerCode: 0x121d,
      manufacturer: 'Hubs Ltd',
      model: 'CH-2G',
      hardwareVersion: 0x0302,
      imageType: 0x0007,
      hanVariant: HanVariant.DualBand,
      runningVersion: 0x01260300,
      runningHash: hashA,
      slotState: SlotState.Receiving,
      installState: InstallState.Commissioned,
      lastBootFailed: true,
      maxFrame: 0x0400,
      credits: 5,
    },
    type: 0x82,
    payload: Buffer.concat([
      le(1, 1),
      hex('00DB1234567890A0'),
      hex('00DB1234567890B1'),
      le(0x121d, 2),
      str('Hubs Ltd'),
      str('CH-2G'),
      le(0x0302, 2),
      le(0x0007, 2),
      le(2, 1),
      le(0x01260300, 4),
      hex(hashA),
      le(1, 1),
      le(2, 1),
      le(1, 1),
      le(0x0400, 2),
      le(5, 2),
    ]),
  },
  { message: { kind: 'status' }, type: 0x03, payload: Buffer.alloc(0) },
  {
    message: { kind: 'status-reply', slotState: SlotState.Complete, stagedHash: hashB, stagedSize: 0x30000, stagedVersion: 0x02000100, receivedOffset: 0x2000, committedOffset: 0x1000, credits: 3 },
    type: 0x83,
    payload: Buffer.concat([le(2, 1), hex(hashB), le(0x30000, 4), le(0x02000100, 4), le(0x2000, 4), le(0x1000, 4), le(3, 2)]),
  },
  {
    message: { kind: 'begin', imageHash: hashA, size: 12345, version: 0x02000000, signature },
    type: 0x10,
    payload: Buffer.concat([hex(hashA), le(12345, 4), le(0x02000000, 4), Buffer.from(signature)]),
  },
  { message: { kind: 'begin-reply', resumeOffset: 8192, credits: 6 }, type: 0x90, payload: Buffer.concat([le(8192, 4), le(6, 2)]) },
  { message: { kind: 'write', offset: 40960, data: Uint8Array.of(9, 8, 7) }, type: 0x11, payload: Buffer.concat([le(40960, 4), Buffer.of(9, 8, 7)]) },
  {
    message: { kind: 'write-ack', receivedOffset: 40963, committedOffset: 36864, credits: 7 },
    type: 0x91,
    payload: Buffer.concat([le(40963, 4), le(36864, 4), le(7, 2)]),
  },
  { message: { kind: 'verify' }, type: 0x12, payload: Buffer.alloc(0) },
  { message: { kind: 'verify-reply', sha256: hashB, size: 361 }, type: 0x92, payload: Buffer.concat([hex(hashB), le(361, 4)]) },
  { message: { kind: 'activate' }, type: 0x13, payload: Buffer.alloc(0) },
  { message: { kind: 'activate-reply', rebootMs: 1500 }, type: 0x93, payload: le(1500, 4) },
  { message: { kind: 'confirm' }, type: 0x14, payload: Buffer.alloc(0) },
  { message: { kind: 'confirm-reply', runningVersion: 0x02000000, runningHash: hashA }, type: 0x94, payload: Buffer.concat([le(0x02000000, 4), hex(hashA)]) },
  { message: { kind: 'abort' }, type: 0x15, payload: Buffer.alloc(0) },
  { message: { kind: 'abort-reply' }, type: 0x95, payload: Buffer.alloc(0) },
  {
    message: { kind: 'error', requestType: MessageType.Begin, code: DeviceErrorCode.ImageRejected, arg: 0x01020304, detail: 'no' },
    type: 0xff,
    payload: Buffer.concat([le(0x10, 1), le(4, 1), le(0x01020304, 4), str('no')]),
  },
];

/** Byte fields compare by content, whether Buffer or Uint8Array. */
function normalize(m: Message): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]));
}

describe('the documented wire layout', () => {
  it.each(layouts.map((l) => [l.message.kind, l] as const))('%s is encoded with its type code and fields in the documented order', (_kind, { message, type, payload }) => {
    const frame = toFrame(message, 7);
    expect(frame.type).toBe(type);
    expect(Buffer.from(frame.payload).toString('hex')).toBe(payload.toString('hex'));
  });

  it.each(layouts.map((l) => [l.message.kind, l] as const))('%s is decoded from the documented bytes', (_kind, { message, type, payload }) => {
    const decoded = decodeMessage({ type, seq: 7, payload });
    if (!decoded.ok) throw decoded.error;
    expect(normalize(decoded.message)).toEqual(normalize(message));
  });

  it('a payload cut short anywhere inside its fields is FrameMalformed, naming the kind', () => {
    for (const { message, type, payload } of layouts) {
      // WRITE's data is "the rest of the payload": only its offset is required.
      const required = message.kind === 'write' ? 4 : payload.length;
      for (let n = 0; n < required; n++) {
        const r = decodeMessage({ type, seq: 0, payload: payload.subarray(0, n) });
        expect(r.ok, `${message.kind} cut to ${n} bytes`).toBe(false);
        if (!r.ok) {
          expect(isHubflashError(r.error, ErrorCode.FrameMalformed)).toBe(true);
          expect(r.error.message).toContain(`${message.kind} payload of ${n} bytes`);
        }
      }
    }
  });

  it('every type code not in the table is refused as unknown, with the code in hex', () => {
    const known = new Set(layouts.map((l) => l.type));
    expect(known.size).toBe(19);
    for (let type = 0; type <= 0xff; type++) {
      if (known.has(type)) continue;
      const r = decodeMessage({ type, seq: 0, payload: new Uint8Array(200) });
      expect(r.ok, `type 0x${type.toString(16)}`).toBe(false);
      if (!r.ok) {
        expect(isHubflashError(r.error, ErrorCode.FrameMalformed)).toBe(true);
        expect(r.error.message).toContain(`unknown message type 0x${type.toString(16)}`);
        expect(r.error.context.type).toBe(type);
      }
    }
  });

  it('replies are the request types with bit 7 set, and ERROR; requests are not replies', () => {
    for (const { message, type } of layouts) {
      const isReply = message.kind.endsWith('-reply') || message.kind === 'write-ack' || message.kind === 'error';
      expect(isReplyType(type), message.kind).toBe(isReply);
    }
  });
});
