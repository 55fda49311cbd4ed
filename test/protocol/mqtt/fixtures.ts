import { randomUUID } from 'node:crypto';
import type { ResultMessageInput } from '../../../protocol/mqtt/index.ts';

/** A valid result message; tests override fields to make it invalid. */
export function sampleResult(overrides: Partial<ResultMessageInput> = {}): ResultMessageInput {
  return {
    v: 1,
    resultId: randomUUID(),
    rigId: 'RIG-01',
    hub: {
      chfId: '00-db-12-34-56-78-90-a0',
      gpfId: '00DB1234567890A1',
      manufacturerCode: 0x121d,
      model: 'EDMI-CH2',
      hardwareVersion: 0x1111,
      hanVariant: 'DualBand',
    },
    from: { version: '01260300' },
    to: { version: 'acdcacdc', hash: 'A'.repeat(64) },
    outcome: 'verified',
    imageHash: 'a'.repeat(64),
    bytesSent: 361,
    bytesResent: 0,
    resumes: 0,
    phases: { identify: 12, transfer: 800, verify: 40 },
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:00:01.000Z',
    ...overrides,
  };
}
