import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  decodeAck,
  decodeHeartbeat,
  decodeProgress,
  decodeResult,
  decodeStatus,
  encodeAck,
  encodeResult,
  encodeStatus,
  MAX_MESSAGE_BYTES,
} from '../../../protocol/mqtt/index.ts';
import { sampleResult } from './fixtures.ts';

function invalidCode(fn: () => unknown): ErrorCode | string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return isHubflashError(err) ? err.code : `other error: ${String(err)}`;
  }
}

describe('MQTT message codec', () => {
  it('normalises identifiers, versions and hashes in a result', () => {
    const m = decodeResult(encodeResult(sampleResult()));
    expect(m.hub.chfId).toBe('00-DB-12-34-56-78-90-A0');
    expect(m.hub.gpfId).toBe('00-DB-12-34-56-78-90-A1');
    expect(m.to).toEqual({ version: 'ACDCACDC', hash: 'a'.repeat(64) });
  });

  it.each([
    ['a wrong version field', { v: 2 }],
    ['an unknown field', { extra: 1 }],
    ['a bad device ID', { hub: { ...sampleResult().hub, chfId: '00-DB-12' } }],
    ['a failed outcome with no error', { outcome: 'failed' as const }],
    ['a verified outcome with no image', { imageHash: undefined }],
    ['an error code in the wrong form', { outcome: 'failed' as const, error: { code: '301', name: 'X', message: 'y' } }],
    ['a negative byte count', { bytesSent: -1 }],
    ['a resultId that is not a UUID', { resultId: 'r1' }],
    ['finishing before starting', { finishedAt: '2025-01-01T09:00:00.000Z' }],
  ])('refuses a result with %s as InvalidMessage', (_what, overrides) => {
    const text = JSON.stringify(sampleResult(overrides as never));
    expect(invalidCode(() => decodeResult(text))).toBe(ErrorCode.InvalidMessage);
  });

  it('refuses an ack naming no result, and a hash that is not 64 hex digits', () => {
    const at = new Date().toISOString();
    expect(invalidCode(() => decodeAck(Buffer.from(JSON.stringify({ v: 1, resultIds: [], at }))))).toBe(ErrorCode.InvalidMessage);
    const r = sampleResult();
    for (const hash of ['ab'.repeat(4), `${'ab'.repeat(31)}a`, `${'ab'.repeat(32)}a`]) {
      expect(invalidCode(() => decodeResult(Buffer.from(JSON.stringify({ ...r, to: { ...r.to, hash } }))))).toBe(ErrorCode.InvalidMessage);
    }
    expect(invalidCode(() => decodeResult(Buffer.from(JSON.stringify({ ...r, to: { ...r.to, hash: 'ab'.repeat(32) } }))))).toBe('no error');
  });

  it('refuses non-JSON and oversized payloads', () => {
    expect(invalidCode(() => decodeStatus(Buffer.from('{not json')))).toBe(ErrorCode.InvalidMessage);
    expect(invalidCode(() => decodeStatus(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 32)))).toBe(ErrorCode.InvalidMessage);
  });

  it('refuses to encode an invalid message, so it never leaves the sender', () => {
    expect(invalidCode(() => encodeStatus({ v: 1, rigId: 'RIG/1', state: 'online', seq: 1, at: new Date().toISOString() }))).toBe(
      ErrorCode.InvalidMessage,
    );
  });

  it('round-trips status, heartbeat, progress and ack', () => {
    const at = '2025-01-01T10:00:00.000Z';
    expect(decodeStatus(encodeStatus({ v: 1, rigId: 'RIG-01', state: 'offline', seq: 3, at })).state).toBe('offline');
    expect(decodeHeartbeat(JSON.stringify({ v: 1, rigId: 'RIG-01', seq: 3, at, slots: { total: 4, busy: 1 } })).slots?.busy).toBe(1);
    const p = decodeProgress(
      JSON.stringify({ v: 1, rigId: 'RIG-01', chfId: '00db1234567890a0', phase: 'transfer', bytesSent: 10, bytesTotal: 361, rateBytesPerSecond: 1e4, at }),
    );
    expect(p.chfId).toBe('00-DB-12-34-56-78-90-A0');
    const ids = [sampleResult().resultId, sampleResult().resultId];
    expect(decodeAck(encodeAck({ v: 1, resultIds: ids, at })).resultIds).toEqual(ids);
  });

  it('never throws anything but InvalidMessage on arbitrary input', () => {
    const decoders = [decodeStatus, decodeHeartbeat, decodeProgress, decodeResult, decodeAck];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 200 })), fc.nat(decoders.length - 1), (input, i) => {
        const code = invalidCode(() => decoders[i]!(input));
        expect([ErrorCode.InvalidMessage, 'no error']).toContain(code);
      }),
      { numRuns: 300 },
    );
  });
});
