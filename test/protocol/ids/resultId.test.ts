import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { newResultId } from '../../../protocol/ids/index.ts';
import { resultMessage } from '../../../protocol/mqtt/index.ts';
import { sampleResult } from '../mqtt/fixtures.ts';

describe('result IDs', () => {
  it('are UUIDv7s that sort in the order they were made, so the server stores them side by side', () => {
    const ids = Array.from({ length: 5000 }, () => newResultId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carry the time they were made in their first 48 bits', () => {
    const before = Date.now();
    const id = newResultId();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  it('are accepted in a result message, as the random (v4) IDs of earlier agents still are', () => {
    expect(resultMessage.parse(sampleResult({ resultId: newResultId() })).resultId).toMatch(/-7/);
    expect(resultMessage.parse(sampleResult({ resultId: randomUUID() })).resultId).toMatch(/-4/);
  });
});
