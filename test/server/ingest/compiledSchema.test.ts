import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { ackMessage, decodeResult, heartbeatMessage, progressMessage, resultMessage, statusMessage } from '../../../protocol/mqtt/index.ts';
import { compileSchema, FAIL } from '../../../server/ingest/compiledSchema.ts';
import { decodeResultPayload } from '../../../server/ingest/decodeResult.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';

/** Valid and invalid spellings of each field, as a rig (or a broken one) might send them; mostly valid. */
const absent = Symbol('absent');
const mix = <T>(valid: T[], invalid: T[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 25 }, { arbitrary: fc.constantFrom(...invalid, ...valid), weight: 1 });
const field = {
  v: mix<unknown>([1], [2, '1', absent]),
  resultId: fc.oneof({ arbitrary: fc.uuid(), weight: 25 }, { arbitrary: fc.constantFrom<unknown>('not-a-uuid', '00000000-0000-0000-0000-000000000000', 'F47AC10B-58CC-4372-A567-0E02B2C3D479', 42, absent), weight: 1 }),
  rigId: mix<unknown>(['RIG-01', 'rig.02_x'], ['-bad', '', 'R'.repeat(65), absent]),
  deviceId: mix<unknown>(['00-DB-12-34-56-78-90-A0', '00-db-12-34-56-78-90-a0', '00DB1234567890A0'], ['00:DB:12:34:56:78:90:A0', 'nope', 17, absent]),
  u16: mix<unknown>([0, 0x121d, 65535], [65536, -1, 1.5, '4637', absent]),
  model: mix<unknown>(['EDMI-CH2', 'x'.repeat(100), `${'x'.repeat(99)}😀`, '😀'], ['', 'x'.repeat(101), `${'x'.repeat(100)}😀`, absent]),
  hanVariant: mix<unknown>(['SingleBand', 'DualBand'], ['dualband', absent]),
  version: mix<unknown>(['01260300', 'acdcacdc', 'ACDCACDC'], ['0126030', 'g1260300', absent]),
  hash: mix<unknown>(['a'.repeat(64), 'A'.repeat(64)], ['a'.repeat(63), `${'a'.repeat(63)}g`, absent]),
  optionalHash: mix<unknown>(['a'.repeat(64), 'A'.repeat(64), absent], ['a'.repeat(63), null]),
  outcome: mix<unknown>(['verified', 'already-current', 'failed', 'ineligible'], ['done', absent]),
  error: mix<unknown>(
    [{ code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x', extra: true }, absent],
    [{ code: 'HF304', name: 'X', message: '' }, { code: 'HF0304', name: '', message: 'x' }, null],
  ),
  count: mix<unknown>([0, 7, 250_000], [-1, 0.5, 2 ** 53, '3', null, absent]),
  phases: mix<unknown>([{ identify: 12, transfer: 800 }, {}], [{ Transfer: 1 }, { transfer: -1 }, { ['a'.repeat(33)]: 1 }, JSON.parse('{"__proto__": 1}'), [], null, absent]),
  time: mix<unknown>(['2025-01-01T10:00:00.000Z', '2025-01-01T10:00:01+01:00', '2025-01-01T10:00:02Z'], ['2025-01-01 10:00:00Z', '2025-02-30T10:00:00Z', '2025-01-01T10:00:00', absent]),
  optionalText: mix<unknown>(['ORD-1', absent], ['', 'o'.repeat(101)]),
  extra: mix<Record<string, unknown>>([{}], [{ unknown: 1 }, { constructor: 'x' }]),
};

const candidate = fc
  .record({
    v: field.v, resultId: field.resultId, rigId: field.rigId, chfId: field.deviceId, gpfId: field.deviceId, manufacturerCode: field.u16, model: field.model,
    hardwareVersion: field.u16, hanVariant: field.hanVariant, fromVersion: field.version, fromHash: field.optionalHash, toVersion: field.version, toHash: field.hash,
    outcome: field.outcome, error: field.error, imageHash: field.optionalHash, bytesSent: field.count, bytesResent: field.count, resumes: field.count, phases: field.phases,
    startedAt: field.time, finishedAt: field.time, orderId: field.optionalText, jobId: field.optionalText, extra: field.extra, hubExtra: field.extra,
  })
  .map((f) => {
    const obj = (entries: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== absent));
    const hub = obj({ chfId: f.chfId, gpfId: f.gpfId, manufacturerCode: f.manufacturerCode, model: f.model, hardwareVersion: f.hardwareVersion, hanVariant: f.hanVariant, ...f.hubExtra });
    const message = obj({
      v: f.v, resultId: f.resultId, rigId: f.rigId, hub, from: obj({ version: f.fromVersion, hash: f.fromHash }), to: obj({ version: f.toVersion, hash: f.toHash }),
      outcome: f.outcome, error: f.error, imageHash: f.imageHash, bytesSent: f.bytesSent, bytesResent: f.bytesResent, resumes: f.resumes, phases: f.phases,
      startedAt: f.startedAt, finishedAt: f.finishedAt, orderId: f.orderId, jobId: f.jobId, ...f.extra,
    });
    return JSON.stringify(message);
  });

/**
 * The compiled parser agrees with zod: it accepts what zod accepts (so zod is rarely asked) and
 * nothing else, and gives zod's output, to the key order.
 */
function agreesWithZod(schema: z.ZodType, text: string): boolean {
  const parse = compileSchema(schema)!;
  const zod = schema.safeParse(JSON.parse(text));
  const fast = parse(JSON.parse(text));
  expect(fast !== FAIL).toBe(zod.success);
  if (fast === FAIL) return true;
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
  expect(fast).toEqual(zod.data);
  return true;
}

describe('schemas compiled from zod', () => {
  it('accept exactly what the zod result schema accepts, with the same output', () => {
    let accepted = 0;
    const runs = 3000;
    fc.assert(
      fc.property(candidate, (text) => {
        if (compileSchema(resultMessage)!(JSON.parse(text)) !== FAIL) accepted++;
        return agreesWithZod(resultMessage, text);
      }),
      { numRuns: runs },
    );
    // Both verdicts were exercised.
    expect(accepted).toBeGreaterThan(runs / 10);
    expect(accepted).toBeLessThan(runs * 0.9);
  });

  it('decide valid results themselves (zod is asked only about the rest)', () => {
    const parse = compileSchema(resultMessage)!;
    for (const r of [
      sampleResult(),
      sampleResult({ outcome: 'failed', imageHash: undefined, error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'x' }, orderId: 'ORD-1', jobId: 'J-1' }),
      sampleResult({ hub: { ...sampleResult().hub, chfId: '00db1234567890a0', model: `${'x'.repeat(99)}😀` } }),
    ]) {
      const text = JSON.stringify(r);
      expect(parse(JSON.parse(text))).not.toBe(FAIL);
      agreesWithZod(resultMessage, text);
      expect(decodeResultPayload(Buffer.from(text)).result).toEqual(decodeResult(text));
    }
  });

  it('agree with zod on the other rig messages it compiles', () => {
    const status = { v: 1, rigId: 'RIG-01', state: 'online', seq: 3, at: '2025-01-01T10:00:00Z', agentVersion: '1.0', slots: 4 };
    const progress = { v: 1, rigId: 'RIG-01', chfId: '00db1234567890a0', phase: 'transfer', bytesSent: 1, bytesTotal: 2, rateBytesPerSecond: 1.5, at: '2025-01-01T10:00:00Z' };
    const heartbeat = { v: 1, rigId: 'RIG-01', seq: 1, at: '2025-01-01T10:00:00Z', slots: { total: 4, busy: 1 } };
    const ack = { v: 1, resultIds: [randomUUID(), randomUUID()], refused: [{ resultId: randomUUID(), error: { code: 'HF0623', name: 'ResultUnknownImage', message: 'x' } }], at: '2025-01-01T10:00:00Z' };
    for (const [schema, good] of [[statusMessage, status], [progressMessage, progress], [heartbeatMessage, heartbeat], [ackMessage, ack]] as const) {
      expect(compileSchema(schema)!(good)).not.toBe(FAIL);
      const variants: object[] = [good, { ...good, seq: -1 }, { ...good, extra: 1 }, { ...good, at: 'yesterday' }, { ...good, rigId: undefined }];
      variants.push({ ...good, resultIds: [] }, { ...good, resultIds: 'x' }, { ...good, resultIds: ['nope'] }, { ...good, refused: [{ resultId: randomUUID(), error: { code: 'HF0623', name: 'x', message: 'y', more: 1 } }] });
      for (const text of variants.map((m) => JSON.stringify(m))) agreesWithZod(schema, text);
    }
  });

  it('leaves schemas with constructs it does not cover to zod', () => {
    expect(compileSchema(z.union([z.string(), z.number()]))).toBeUndefined();
    expect(compileSchema(z.object({ n: z.number().default(1) }))).toBeUndefined();
    expect(compileSchema(z.string().trim())).toBeUndefined(); // a check that rewrites the value
    expect(compileSchema(z.coerce.number())).toBeUndefined();
  });

  it('refuses an invalid result with the error decodeResult gives', () => {
    for (const text of ['{', JSON.stringify({ ...sampleResult(), outcome: 'done' }), JSON.stringify({ ...sampleResult(), rigId: 'x y' }), 'x'.repeat(70_000)]) {
      const expected = (() => {
        try {
          decodeResult(text);
        } catch (err) {
          return err;
        }
      })();
      expect(isHubflashError(expected, ErrorCode.InvalidMessage)).toBe(true);
      expect(() => decodeResultPayload(Buffer.from(text))).toThrow((expected as Error).message);
    }
  });
});
