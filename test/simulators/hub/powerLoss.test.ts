import { afterEach, describe, expect, it } from 'vitest';
import { parseImage, verifyWithTrustedKeys } from '../../../protocol/image/index.ts';
import { SlotState } from '../../../protocol/messages/index.ts';
import type { SimulatedHub } from '../../../simulators/index.ts';
import { factory, hostFor, image, key, makeHub, sha, V2 } from '../helpers/fixture.ts';
import { flashResiliently } from '../helpers/resilientFlash.ts';

const img = image(V2);
const hubs: SimulatedHub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

/** The MCUboot-style check on every boot: the image booted is intact, signed, and old or new. */
function watchBoots(hub: SimulatedHub, violations: string[]): void {
  hub.on('booted', (b: { slot: 0 | 1; hash: string; valid: boolean }) => {
    if (!b.valid) violations.push(`booted a corrupt image in slot ${b.slot}`);
    if (b.hash !== sha(factory) && b.hash !== sha(img)) violations.push(`booted unknown image ${b.hash}`);
    const bytes = hub.flash.slots[b.slot].read(0, b.hash === sha(img) ? img.length : factory.length);
    try {
      verifyWithTrustedKeys(parseImage(bytes), [key.publicKeyPem]);
    } catch (err) {
      violations.push(`booted image does not verify: ${(err as Error).message}`);
    }
  });
}

async function flashWithCutAt(op: number | undefined): Promise<{ hub: SimulatedHub; restarts: number; cuts: number; violations: string[] }> {
  const hub = makeHub({ faults: op === undefined ? {} : { powerLoss: [{ op }] } });
  hubs.push(hub);
  const violations: string[] = [];
  watchBoots(hub, violations);
  let cuts = 0;
  hub.on('power-cut', () => cuts++);
  const host = hostFor(hub);
  host.timeoutMs = 40;
  try {
    const restarts = await flashResiliently(host, img);
    return { hub, restarts, cuts, violations };
  } finally {
    host.close();
  }
}

describe('power loss at every flash operation (MCUboot style)', () => {
  it('always boots a valid signed image, and finishing the flash always ends on the new image', async () => {
    const reference = await flashWithCutAt(undefined);
    const total = reference.hub.snapshot().flashOps;
    // BEGIN, 4 blocks of erase + pages + commit, activation, the trial boot's mark, confirm.
    expect(total).toBeGreaterThan(60);
    expect(total).toBeLessThan(120);
    expect(reference.restarts).toBe(0);

    const cuts = Array.from({ length: total }, (_, i) => i + 1);
    const results: Array<{ op: number; cuts: number; violations: string[]; final: ReturnType<SimulatedHub['snapshot']> }> = [];
    for (let i = 0; i < cuts.length; i += 12) {
      const batch = cuts.slice(i, i + 12);
      results.push(
        ...(await Promise.all(
          batch.map(async (op) => {
            const r = await flashWithCutAt(op);
            return { op, cuts: r.cuts, violations: r.violations, final: r.hub.snapshot() };
          }),
        )),
      );
    }
    for (const r of results) {
      expect(r.violations, `cut at flash operation ${r.op}`).toEqual([]);
      expect(r.final.running, `cut at flash operation ${r.op}`).toMatchObject({ hash: sha(img), valid: true, trial: false });
      expect(r.final.slotState).toBe(SlotState.Empty);
      // The cut really happened, once, and the flash went on past it.
      expect(r.cuts, `cut at flash operation ${r.op}`).toBe(1);
      expect(r.final.flashOps, `cut at flash operation ${r.op}`).toBeGreaterThanOrEqual(total);
    }
  });
});
