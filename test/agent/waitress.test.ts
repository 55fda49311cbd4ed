import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Link } from '../../agent/link/index.ts';
import { ErrorCode } from '../../protocol/errors/index.ts';
import { Waitress } from '../../agent/link/waitress.ts';
import { StreamTransport } from '../../agent/transport/streamTransport.ts';

/** Runs `body`, collecting the process's unhandled rejections meanwhile (each would end a daemon). */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => void seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await body();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

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

  it('a deadline that passes before anyone awaits is not an unhandled rejection', async () => {
    const unhandled = await unhandledDuring(async () => {
      const w = make();
      const a = w.waitFor({ type: 0x85, seq: 9 }, 5);
      await new Promise((r) => setTimeout(r, 40)); // the request is still being written
      await expect(a.promise).rejects.toThrow('timeout 133/9 after 5');
    });
    expect(unhandled).toEqual([]);
  });

  it('a request whose write outlasts its reply timeout fails with LinkTimeout, nothing unhandled', async () => {
    // A line that takes 60 ms to take each write and never answers (a saturated USB-serial adapter).
    const line = new Duplex({ read() {}, write(_chunk, _enc, done) { setTimeout(done, 60); } });
    const link = new Link(new StreamTransport(line, { name: 'slow' }));
    await link.open();
    const unhandled = await unhandledDuring(async () => {
      await expect(link.request({ kind: 'status' }, { timeoutMs: 10, retries: 1 })).rejects.toMatchObject({ code: ErrorCode.LinkTimeout });
    });
    expect(unhandled).toEqual([]);
    line.destroy();
  });

  it('a write that never completes still ends in LinkTimeout within the retries, and a failed write fails at once', async () => {
    const wedged = new Duplex({ read() {}, write() {} });
    const link = new Link(new StreamTransport(wedged, { name: 'wedged' }));
    await link.open();
    await expect(link.request({ kind: 'status' }, { timeoutMs: 20, retries: 2 })).rejects.toMatchObject({ code: ErrorCode.LinkTimeout });
    wedged.destroy();

    const broken = new Duplex({ read() {}, write(_c, _e, done) { done(new Error('EIO')); } });
    const failing = new Link(new StreamTransport(broken, { name: 'broken' }));
    await failing.open();
    await expect(failing.request({ kind: 'status' }, { timeoutMs: 5_000, retries: 0 })).rejects.not.toMatchObject({ code: ErrorCode.LinkTimeout });
    broken.destroy();
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
