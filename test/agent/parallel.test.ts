import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, Rig, type FlashResult } from '../../agent/index.ts';
import type { SimulatedHub } from '../../simulators/index.ts';
import { makeFirmware, makeHub, ptyHubs, type Firmware } from './fixtures.ts';

let fw: Firmware;
let hubs: SimulatedHub[];
let lines: Awaited<ReturnType<typeof ptyHubs>>;
beforeAll(async () => {
  fw = makeFirmware(128 * 1024);
  hubs = Array.from({ length: 16 }, (_, i) =>
    makeHub(fw, 200 + i, {
      flash: { eraseMs: 1, programMs: 0.02 },
      // Hub 3 stalls for 2 s mid-transfer; hub 11 loses power mid-transfer.
      ...(i === 3 ? { faults: { stall: [{ ms: 2000, at: { offset: 40_000 } }] } } : {}),
      ...(i === 11 ? { faults: { powerLoss: [{ offset: 50_000 }] } } : {}),
    }),
  );
  await Promise.all(hubs.map((h) => h.powerOn()));
  lines = await ptyHubs(hubs);
});
afterAll(async () => {
  await lines.close();
  for (const h of hubs) h.close();
});

describe('16 hubs in parallel, two of them faulty', () => {
  it('flashes every hub; the faulty ones do not slow the others', async () => {
    const rig = new Rig({ image: fw.image, journal: new MemoryStore(), concurrency: 16 });
    const maxBusy = { n: 0 };
    rig.on('progress', () => (maxBusy.n = Math.max(maxBusy.n, rig.slots.busy)));
    const results = await rig.flashAll(lines.ports);
    expect(maxBusy.n).toBe(16);
    for (const [i, r] of results.entries()) {
      expect(r.outcome, `hub ${i}: ${r.error?.message ?? ''}`).toBe('verified');
      expect(hubs[i]!.snapshot().running).toMatchObject({ hash: fw.image.sha256, trial: false });
    }
    const healthy = results.filter((_, i) => i !== 3 && i !== 11);
    for (const r of healthy) expect(r).toMatchObject({ bytesResent: 0, resumes: 0 });
    expect(results[3]!.resumes + results[11]!.resumes).toBeGreaterThanOrEqual(2);
    // The healthy hubs all finished before the stalled one, and about as fast as each other.
    const end = (r: FlashResult): number => Date.parse(r.finishedAt);
    expect(Math.max(...healthy.map(end))).toBeLessThan(end(results[3]!));
    const transfers = healthy.map((r) => r.phases.transfer!).sort((a, b) => a - b);
    expect(transfers.at(-1)!).toBeLessThan(2 * transfers[0]! + 200);
  });

  it('shares one copy of the image between sessions', () => {
    // Sessions send views into image.bytes; the prepared image keeps the parsed file's buffer.
    expect(fw.image.bytes.buffer).toBe(fw.image.image.bytes.buffer);
    expect(Object.isFrozen(fw.image)).toBe(true);
  });
});
