import type { SystemUnderTest } from './harness.ts';

export interface LedgerCheck {
  stored: number;
  /** Results an agent logged as finished that the server does not hold. */
  lost: number;
  /** Results stored, or applied to a hub's history, more than once. */
  doubled: number;
  /** Each rule broken, in words; empty when all hold. */
  problems: string[];
}

/**
 * Nothing lost, nothing doubled: every result an agent logged is stored; each stored result
 * appears exactly once in its hub's history; every eligible hub has exactly one result that put
 * it on the target (verified, or already-current when a restart found it done). Plain code (no
 * test runner), so the soak script uses it too.
 */
export async function everyResultOnce(sut: SystemUnderTest, rigs: string[], waitMs = 30_000): Promise<LedgerCheck> {
  await quiet(sut, rigs, waitMs);
  const problems: string[] = [];
  const stored = await sut.results();
  const ids = new Set(stored.map((r) => r.resultId));
  let doubled = stored.length - ids.size;
  if (doubled > 0) problems.push(`${doubled} result IDs stored twice`);
  let lost = 0;
  for (const rig of rigs) {
    for (const id of sut.agentResultIds(rig)) {
      if (ids.has(id)) continue;
      lost++;
      problems.push(`result ${id} logged by ${rig} is not on the server`);
    }
  }
  const unapplied = stored.filter((r) => !r.applied).length;
  if (unapplied > 0) problems.push(`${unapplied} stored results not applied`);

  for (const h of sut.world.hubs.filter((x) => x.smi && x.smi.status !== 'Commissioned')) {
    const chfId = h.identity.chfId;
    const mine = stored.filter((r) => r.hub.chfId === chfId);
    if (mine.filter((r) => r.outcome === 'verified').length > 1) problems.push(`${chfId} verified more than once`);
    if (!mine.some((r) => r.outcome === 'verified' || r.outcome === 'already-current')) problems.push(`${chfId} never reached its target`);
    const history = await sut.api.get<{ items: Array<{ type: string; details?: { resultId?: string } }> }>(`/devices/${chfId}/history`, { limit: 1000 });
    const applied = history.items.filter((e) => e.type === 'result').map((e) => e.details?.resultId ?? '');
    const twice = applied.length - new Set(applied).size;
    if (twice > 0) {
      doubled += twice;
      problems.push(`${chfId}: ${twice} results applied twice`);
    }
    const expected = mine.map((r) => r.resultId).sort();
    if (JSON.stringify([...new Set(applied)].sort()) !== JSON.stringify(expected)) problems.push(`${chfId}: its history's results ${JSON.stringify(applied)} are not its stored results ${JSON.stringify(expected)}`);
  }
  return { stored: stored.length, lost, doubled, problems };
}

/**
 * Waits, up to `waitMs`, until every result the agents have logged is on the server and none
 * has been logged for half a second. An order can settle while a rig still has results on the way
 * (e.g. "already-current" for a hub it was given a job for again before its first result
 * arrived); they must arrive, as they would in the warehouse, before the ledger is read. What
 * has not arrived by then is reported as lost.
 */
async function quiet(sut: SystemUnderTest, rigs: string[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let seen = -1;
  for (;;) {
    const logged = rigs.flatMap((rig) => sut.agentResultIds(rig));
    const ids = new Set((await sut.results()).map((r) => r.resultId));
    if (logged.length === seen && logged.every((id) => ids.has(id))) return;
    if (Date.now() > deadline) return;
    seen = logged.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
