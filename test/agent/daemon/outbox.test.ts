import { spawn } from 'node:child_process';
import path from 'node:path';
import { Level } from 'level';
import { describe, expect, it, vi } from 'vitest';
import { ResultOutbox } from '../../../agent/daemon/index.ts';
import { Random } from '../../../simulators/random.ts';
import { sampleResult, tempDir } from './helpers.ts';

const CHILD = path.join(import.meta.dirname, 'outboxChild.ts');

async function withOutbox<T>(location: string, use: (outbox: ResultOutbox) => Promise<T>): Promise<T> {
  const outbox = await ResultOutbox.open(location);
  try {
    return await use(outbox);
  } finally {
    await outbox.close();
  }
}

const ids = async (outbox: ResultOutbox): Promise<string[]> => (await outbox.pending()).map((r) => r.resultId);

describe('the result outbox', () => {
  it('keeps results, oldest first, across a close and reopen; new ones go after them', async () => {
    const location = path.join(tempDir(), 'outbox');
    const first = Array.from({ length: 5 }, () => sampleResult());
    await withOutbox(location, async (outbox) => {
      for (const r of first) await outbox.add(r);
      expect(outbox.size).toBe(5);
    });
    const later = sampleResult();
    await withOutbox(location, async (outbox) => {
      expect(outbox.size).toBe(5);
      expect(first.every((r) => outbox.has(r.resultId))).toBe(true);
      expect(await outbox.pending()).toEqual(first);
      await outbox.add(later);
      expect(await ids(outbox)).toEqual([...first, later].map((r) => r.resultId));
      expect((await outbox.pending(2)).map((r) => r.resultId)).toEqual(first.slice(0, 2).map((r) => r.resultId));
    });
  });

  it('syncs each result to disk before add resolves, and each acknowledgement before it is forgotten', async () => {
    const put = vi.spyOn(Level.prototype, 'put');
    const batch = vi.spyOn(Level.prototype, 'batch');
    try {
      const r = sampleResult();
      await withOutbox(path.join(tempDir(), 'outbox'), async (outbox) => {
        await outbox.add(r);
        await outbox.acknowledge([r.resultId]);
      });
      expect((put.mock.calls as unknown[][]).map((c) => c[2])).toEqual([expect.objectContaining({ sync: true })]);
      expect((batch.mock.calls as unknown[][]).map((c) => c[1])).toEqual([expect.objectContaining({ sync: true })]);
    } finally {
      put.mockRestore();
      batch.mockRestore();
    }
  });

  it('stores a result added twice once, even when both adds run at the same time', async () => {
    const location = path.join(tempDir(), 'outbox');
    const r = sampleResult();
    const other = sampleResult();
    await withOutbox(location, async (outbox) => {
      await outbox.add(r);
      await outbox.add(r);
      await Promise.all([outbox.add(other), outbox.add(other)]);
      expect(outbox.size).toBe(2);
      expect(await ids(outbox)).toEqual([r.resultId, other.resultId]);
      expect(await outbox.acknowledge([other.resultId])).toBe(1);
    });
    // Nothing of the acknowledged result is left behind to be re-sent after a restart.
    await withOutbox(location, async (outbox) => {
      expect(await ids(outbox)).toEqual([r.resultId]);
    });
  });

  it('acknowledging removes exactly the named results, durably, and ignores unknown IDs', async () => {
    const location = path.join(tempDir(), 'outbox');
    const results = Array.from({ length: 6 }, () => sampleResult());
    await withOutbox(location, async (outbox) => {
      for (const r of results) await outbox.add(r);
      const named = [results[1]!, results[4]!].map((r) => r.resultId);
      const first = results[0]!.resultId;
      expect(await outbox.acknowledge([...named, sampleResult().resultId])).toBe(2);
      expect(await outbox.acknowledge([sampleResult().resultId])).toBe(0);
      expect(await outbox.acknowledge([])).toBe(0);
      // An ID named twice in one ack (as the server names a refused result) counts once.
      expect(await outbox.acknowledge([first, first])).toBe(1);
      // Acknowledged again (the server may ack an ID more than once): nothing changes.
      expect(await outbox.acknowledge(named)).toBe(0);
      expect(outbox.size).toBe(3);
      expect(named.some((id) => outbox.has(id))).toBe(false);
    });
    await withOutbox(location, async (outbox) => {
      expect(await ids(outbox)).toEqual([2, 3, 5].map((i) => results[i]!.resultId));
    });
  });

  it('has every result whose add resolved when the process is SIGKILLed at a random point', async () => {
    const location = path.join(tempDir(), 'outbox');
    const random = new Random(20261128);
    const printed: string[] = [];
    for (let round = 0; round < 2; round++) {
      const killAfter = 20 + Math.floor(random.next() * 150);
      // node --import tsx, not `npx tsx`: both of those start a further node process that a
      // SIGKILL of the parent would not reach.
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, location, '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // 'close', not 'exit': every line the child printed has been read by then.
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
      let buffered = '';
      let count = 0;
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line === 'open' || line === 'done') continue;
          printed.push(line);
          if (++count === killAfter) child.kill('SIGKILL');
        }
      });
      expect(await exited, stderr).toBe('SIGKILL');
      await withOutbox(location, async (outbox) => {
        const stored = await ids(outbox);
        // Every printed result, in the order printed; at most one more whose add had not resolved.
        expect(stored.slice(0, printed.length)).toEqual(printed);
        expect(stored.length - printed.length).toBeLessThanOrEqual(1);
        printed.splice(0, printed.length, ...stored);
      });
    }
  });
});
