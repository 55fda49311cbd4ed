import { expect } from 'vitest';
import { orderProblems } from './expected.ts';
import type { SystemUnderTest } from './harness.ts';
import { everyResultOnce } from './ledger.ts';

/** Nothing lost, nothing doubled (see everyResultOnce). */
export async function expectEveryResultOnce(sut: SystemUnderTest, rigs: string[]): Promise<void> {
  const check = await everyResultOnce(sut, rigs);
  expect(check.problems).toEqual([]);
  expect(check.stored).toBeGreaterThan(0);
}

export async function expectOrderDone(sut: SystemUnderTest, timeoutMs = 90_000): Promise<void> {
  expect(orderProblems(await sut.orderSettled(timeoutMs))).toEqual([]);
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
