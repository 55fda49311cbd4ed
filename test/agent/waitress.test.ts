import { describe, expect, it } from 'vitest';
import { Waitress } from '../../agent/link/waitress.ts';

const make = () =>
  new Waitress<{ type: number; seq: number }, { type: number; seq: number }>(
    (p, m) => p.type === m.type && p.seq === m.seq,
    (m, ms) => new Error(`timeout ${m.type}/${m.seq} after ${ms}`),
  );

describe('Waitress (reply matcher)', () => {
  it('resolves the waiter whose type and sequence number match, and only that one', async () => {
    const w = make();
    const a = w.waitFor({ type: 0x81, seq: 1 }, 1000);
    const b = w.waitFor({ type: 0x81, seq: 2 }, 1000);
    expect(w.resolve({ type: 0x81, seq: 3 })).toBe(false);
    expect(w.resolve({ type: 0x82, seq: 2 })).toBe(false);
    expect(w.resolve({ type: 0x81, seq: 2 })).toBe(true);
    await expect(b.promise).resolves.toEqual({ type: 0x81, seq: 2 });
    expect(w.size).toBe(1);
    w.resolve({ type: 0x81, seq: 1 });
    await expect(a.promise).resolves.toEqual({ type: 0x81, seq: 1 });
  });

  it('a duplicated reply is not claimed twice', async () => {
    const w = make();
    const a = w.waitFor({ type: 0x83, seq: 7 }, 1000);
    expect(w.resolve({ type: 0x83, seq: 7 })).toBe(true);
    expect(w.resolve({ type: 0x83, seq: 7 })).toBe(false);
    await a.promise;
  });

  it('rejects after the timeout and forgets the waiter', async () => {
    const w = make();
    const a = w.waitFor({ type: 0x81, seq: 1 }, 20);
    await expect(a.promise).rejects.toThrow('timeout 129/1 after 20');
    expect(w.size).toBe(0);
    expect(w.resolve({ type: 0x81, seq: 1 })).toBe(false);
  });

  it('rejectAll fails every waiter at once (the link closed)', async () => {
    const w = make();
    const a = w.waitFor({ type: 0x81, seq: 1 }, 1000);
    const b = w.waitFor({ type: 0x82, seq: 2 }, 1000);
    w.rejectAll(new Error('closed'));
    await expect(a.promise).rejects.toThrow('closed');
    await expect(b.promise).rejects.toThrow('closed');
  });
});
