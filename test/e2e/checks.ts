import { expect } from 'vitest';
import type { SystemUnderTest } from './harness.ts';

/** Hubs of the e2e world that end verified (incl. already on the target) and that are refused. */
export const EXPECTED = { verified: 7, ineligible: 1 };

/**
 * Nothing lost, nothing doubled: every result an agent logged is stored; each stored result
 * appears exactly once in its hub's history; every eligible hub has exactly one result that put
 * it on the target (verified, or already-current when a restart found it done).
 */
export async function expectEveryResultOnce(sut: SystemUnderTest, rigs: string[]): Promise<void> {
  const stored = await sut.results();
  const ids = new Set(stored.map((r) => r.resultId));
  expect(ids.size).toBe(stored.length);
  for (const rig of rigs) for (const id of sut.agentResultIds(rig)) expect(ids.has(id), `result ${id} logged by ${rig} is on the server`).toBe(true);
  expect(stored.every((r) => r.applied)).toBe(true);

  for (const h of sut.world.hubs.filter((x) => x.smi && x.smi.status !== 'Commissioned')) {
    const mine = stored.filter((r) => r.hub.chfId === h.identity.chfId);
    expect(mine.filter((r) => r.outcome === 'verified').length, `${h.identity.chfId} verified once`).toBeLessThanOrEqual(1);
    expect(mine.some((r) => r.outcome === 'verified' || r.outcome === 'already-current'), `${h.identity.chfId} reached its target`).toBe(true);
    const history = await sut.api.get<{ items: Array<{ type: string; details?: { resultId?: string } }> }>(`/devices/${h.identity.chfId}/history`, { limit: 1000 });
    const applied = history.items.filter((e) => e.type === 'result').map((e) => e.details?.resultId);
    expect(new Set(applied).size, `${h.identity.chfId}: no result applied twice`).toBe(applied.length);
    expect(applied.sort()).toEqual(mine.map((r) => r.resultId).sort());
  }
}

export async function expectOrderDone(sut: SystemUnderTest, timeoutMs = 90_000): Promise<void> {
  const progress = await sut.orderSettled(timeoutMs);
  expect(progress.verified).toBe(EXPECTED.verified);
  expect(progress.ineligible).toBe(EXPECTED.ineligible);
  expect(progress.failed ?? 0).toBe(0);
}

/** Resolves when the first hub commits a block of the new image (a transfer is under way). */
export function firstCommit(sut: SystemUnderTest): Promise<void> {
  return new Promise((resolve) => {
    for (const h of sut.hubs) h.hub.once('committed', () => resolve());
  });
}

/** Resolves when `n` different hubs have committed a block (their transfers are under way). */
export function transfersUnderWay(sut: SystemUnderTest, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    for (const h of sut.hubs) {
      h.hub.once('committed', () => {
        seen += 1;
        if (seen === n) resolve();
      });
    }
  });
}

/** Resolves when `n` hubs have confirmed their new image. */
export function confirmations(sut: SystemUnderTest, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    for (const h of sut.hubs) {
      h.hub.once('confirmed', () => {
        seen += 1;
        if (seen === n) resolve();
      });
    }
  });
}
