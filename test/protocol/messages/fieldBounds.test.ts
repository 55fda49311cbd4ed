import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  HanVariant,
  InstallState,
  SlotState,
  toFrame,
  type IdentifyReply,
  type Message,
} from '../../../protocol/messages/index.ts';

// Fixed-width fields keep their width whatever the value given, so the fields after them stay
// where a hub looks for them; flags read as any non-zero byte.

const hash = 'ab'.repeat(32);

function decoded(message: Message): Message {
  const frame = toFrame(message, 1);
  const r = decodeMessage(frame);
  if (!r.ok) throw r.error;
  return r.message;
}

const identity: IdentifyReply = {
  kind: 'identify-reply',
  protocolVersion: 1,
  chfId: '00-DB-12-34-56-78-90-A0',
  gpfId: '00-DB-12-34-56-78-90-A1',
  manufacturerCode: 0x121d,
  manufacturer: 'Hubs Ltd',
  model: 'CH',
  hardwareVersion: 0x0302,
  imageType: 7,
  hanVariant: HanVariant.SingleBand,
  runningVersion: 0x01000000,
  runningHash: hash,
  slotState: SlotState.Empty,
  installState: InstallState.NotInstalled,
  lastBootFailed: false,
  maxFrame: 2048,
  credits: 8,
};

/** Where lastBootFailed sits in an identify-reply payload: third byte from the maxFrame and credits at the end. */
function lastBootFailedAt(payload: Uint8Array): number {
  return payload.length - 5;
}

describe('message field bounds', () => {
  it('lastBootFailed reads as true for any non-zero byte, false only for 0', () => {
    const payload = Buffer.from(toFrame(identity, 1).payload);
    const at = lastBootFailedAt(payload);
    expect(payload[at]).toBe(0);
    for (const [byte, expected] of [
      [0, false],
      [1, true],
      [2, true],
      [0xff, true],
    ] as const) {
      payload[at] = byte;
      const r = decodeMessage({ type: 0x82, seq: 1, payload });
      if (!r.ok) throw r.error;
      expect((r.message as IdentifyReply).lastBootFailed, `byte ${byte}`).toBe(expected);
      expect((r.message as IdentifyReply).maxFrame).toBe(2048);
    }
  });

  it('a BEGIN signature is always 64 bytes: a shorter one is zero-padded, a longer one cut', () => {
    const base = { kind: 'begin', imageHash: hash, size: 4096, version: 2 } as const;
    for (const length of [0, 10, 63, 64, 65, 100]) {
      const signature = Uint8Array.from({ length }, (_, i) => (i % 250) + 1);
      const frame = toFrame({ ...base, signature }, 1);
      expect(frame.payload.length, `signature of ${length}`).toBe(32 + 4 + 4 + 64);
      const back = decoded({ ...base, signature });
      const expected = Buffer.alloc(64);
      expected.set(signature.subarray(0, 64));
      expect(back).toMatchObject({ imageHash: hash, size: 4096, version: 2 });
      expect(Buffer.from((back as { signature: Uint8Array }).signature).toString('hex')).toBe(expected.toString('hex'));
    }
  });

  it('a hash given short is zero-padded to 32 bytes, keeping the fields after it in place', () => {
    const back = decoded({ kind: 'verify-reply', sha256: 'abcd', size: 361 });
    expect(back).toEqual({ kind: 'verify-reply', sha256: 'abcd'.padEnd(64, '0'), size: 361 });
  });

  it('device IDs take exactly 8 bytes each: a short one is zero-padded, keeping the fields after it in place', () => {
    const back = decoded({ ...identity, chfId: '00-DB-12' }) as IdentifyReply;
    expect(back.chfId).toBe('00-DB-12-00-00-00-00-00');
    expect(back.gpfId).toBe(identity.gpfId);
    expect(back.manufacturer).toBe(identity.manufacturer);
    expect(back.credits).toBe(identity.credits);
  });

  it('device IDs come back as canonical EUI-64 text: upper-case, two digits a byte', () => {
    const back = decoded({ ...identity, chfId: '0a-0b-0c-0d-0e-0f-10-01' }) as IdentifyReply;
    expect(back.chfId).toBe('0A-0B-0C-0D-0E-0F-10-01');
  });

  it('a string longer than 255 bytes is cut to 255, and the fields after it still read', () => {
    const back = decoded({ ...identity, manufacturer: 'M'.repeat(300), model: 'X' }) as IdentifyReply;
    expect(back.manufacturer).toBe('M'.repeat(255));
    expect(back.model).toBe('X');
    expect(back.credits).toBe(identity.credits);
    const err = decoded({ kind: 'error', requestType: 0x10, code: 7, arg: 1, detail: 'd'.repeat(256) });
    expect(err).toMatchObject({ detail: 'd'.repeat(255), arg: 1 });
  });

  it('32-bit fields carry their full range and 16-bit fields theirs', () => {
    expect(decoded({ kind: 'write-ack', receivedOffset: 0xffffffff, committedOffset: 0x80000000, credits: 0xffff })).toEqual({
      kind: 'write-ack',
      receivedOffset: 0xffffffff,
      committedOffset: 0x80000000,
      credits: 0xffff,
    });
    expect(decoded({ kind: 'activate-reply', rebootMs: 0xfffffffe })).toEqual({ kind: 'activate-reply', rebootMs: 0xfffffffe });
  });
});
