import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { parseDeviceId } from '../../../protocol/ids/index.ts';
import type { BatchOp } from '../../storage/Store.ts';
import { custodyChangeIfAllowed } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import type { OrdersContext } from '../orders/context.ts';
import { liveAsnKey } from '../orders/keys.ts';
import { notLive } from '../orders/lifecycle.ts';
import { emptyProgress, type OrderLine } from '../orders/model.ts';
import { getLine, orderLines, putLine, requireOrder } from '../orders/orderStore.ts';
import { putAsnSummary, requireAsn } from './asnStore.ts';
import { buildAsn, type ShipCandidate } from './build.ts';
import { asnHubs, summarise, type Asn, type AsnSummary } from './model.ts';

export interface IssueResult {
  asn: Asn;
  /** Verified hubs left off the ASN, with why. */
  skipped: Array<{ chfId: string; reason: string }>;
}

/**
 * Issues a new ASN for the verified hubs of an order that are not on a live ASN. Issuing again
 * takes only hubs verified since: a hub is on at most one live ASN.
 */
export async function issueAsn(ctx: OrdersContext, orderId: string, actor: string): Promise<IssueResult> {
  const result = await ctx.inventory.lock.run(async () => {
    const order = await requireOrder(ctx.store, orderId);
    if (order.status !== 'open') throw notLive(order);
    const progress = emptyProgress();
    const verified: OrderLine[] = [];
    for await (const line of orderLines(ctx.store, orderId)) {
      progress[line.state]++;
      if (line.state === 'verified') verified.push(line);
    }
    const ids = verified.map((l) => l.chfId);
    const [hubs, onAsn] = await Promise.all([ctx.inventory.getMany(ids), ctx.store.getMany(ids.map(liveAsnKey))]);
    const candidates: ShipCandidate[] = [];
    const already: Array<{ chfId: string; reason: string }> = [];
    verified.forEach((line, i) => {
      if (onAsn[i] !== undefined) already.push({ chfId: line.chfId, reason: `already on live ASN ${onAsn[i]}` });
      else candidates.push({ line, hub: hubs[i] });
    });
    const at = ctx.now().toISOString();
    const built = await buildAsn(ctx, order, candidates, { purpose: 'original', at, by: actor });
    if (!('asn' in built)) {
      const counts = Object.entries(progress).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
      const why = [...already, ...built.skipped].slice(0, 5).map((s) => `${s.chfId}: ${s.reason}`).join('; ');
      throw new HubflashError(
        ErrorCode.AsnNothingEligible,
        `Order ${orderId} has no hub ready for a new ASN (its hubs: ${counts || 'none'})${why ? `; ${why}` : ''}. Only hubs verified at the target and at the CSP go on an ASN: flash and verify hubs first, or look at hubflash reconcile`,
        { orderId, progress, skipped: [...already, ...built.skipped].slice(0, 100) },
      );
    }
    await ctx.inventory.commit(built.changes, built.ops, { sync: true });
    return { asn: built.asn, skipped: [...already, ...built.skipped] };
  });
  await ctx.audit.append([{ actor, action: 'asn.issue', subject: result.asn.asnId, details: { orderId, totals: result.asn.totals, skipped: result.skipped.length } }]);
  return result;
}

/**
 * Replaces a live ASN with a new one (new ID, new SSCCs, purpose "replace"): the old one is kept
 * as superseded. The new ASN holds the old one's hubs except those removed or no longer
 * verified, plus the order's hubs verified since. Removed hubs go back to the CSP's shelf.
 */
export async function replaceAsn(ctx: OrdersContext, asnId: string, actor: string, options: { remove?: string[]; reason?: string } = {}): Promise<IssueResult & { replaced: AsnSummary }> {
  const remove = new Set((options.remove ?? []).map((id) => parseDeviceId(id)));
  const result = await ctx.inventory.lock.run(async () => {
    const old = await requireAsn(ctx.store, asnId);
    if (old.status !== 'live') throw asnNotLive(old, 'replaced');
    const order = await requireOrder(ctx.store, old.order.orderId);
    const oldIds = [...asnHubs(old)].map(({ hub }) => hub.chfId);
    const unknown = [...remove].filter((id) => !oldIds.includes(id));
    if (unknown.length > 0) throw new HubflashError(ErrorCode.HubNotOnOrder, `Not on ASN ${asnId}: ${unknown.join(', ')}; nothing was replaced`, { asnId, unknown });
    const at = ctx.now().toISOString();
    const keptLines: OrderLine[] = [];
    const removedLines: OrderLine[] = [];
    for (const id of oldIds) {
      const line = await getLine(ctx.store, order.orderId, id);
      if (line) (remove.has(id) ? removedLines : keptLines).push(line);
    }
    const newlyVerified: OrderLine[] = [];
    for await (const line of orderLines(ctx.store, order.orderId)) if (line.state === 'verified') newlyVerified.push(line);
    const all = [...keptLines, ...newlyVerified];
    const hubs = await ctx.inventory.getMany(all.map((l) => l.chfId));
    const candidates: ShipCandidate[] = all.map((line, i) => ({ line, hub: hubs[i], alreadyDispatched: i < keptLines.length }));
    const built = await buildAsn(ctx, order, candidates, { purpose: 'replace', supersedes: asnId, at, by: actor });
    if (!('asn' in built)) {
      throw new HubflashError(ErrorCode.AsnNothingEligible, `ASN ${asnId} would be replaced by an empty ASN: cancel it instead (hubflash asn cancel ${asnId})`, { asnId });
    }
    const ops: BatchOp[] = [...built.ops, putAsnSummary({ ...summarise(old), status: 'superseded', supersededBy: built.asn.asnId })];
    const changes: HubChange[] = [...built.changes];
    // Hubs of the old ASN that are not on the new one go back to the CSP's shelf: removed ones
    // still verified, ones no longer shippable back in the queue for a rig.
    const offIds = new Set(built.skipped.map((s) => s.chfId));
    const leaving = [...removedLines, ...keptLines.filter((l) => offIds.has(l.chfId))];
    const leavingHubs = await ctx.inventory.getMany(leaving.map((l) => l.chfId));
    leaving.forEach((line, i) => {
      const { asnId: _gone, ...rest } = line;
      const state = remove.has(line.chfId) ? 'verified' : 'received';
      ops.push({ type: 'del', key: liveAsnKey(line.chfId) }, putLine(order.orderId, { ...rest, state, updatedAt: at }));
      const hub = leavingHubs[i];
      const change = hub ? custodyChangeIfAllowed(hub, 'dispatch-cancelled', { at, by: actor, place: places.csp(ctx.config), orderId: order.orderId, asnId }) : undefined;
      if (change) changes.push(change);
    });
    await ctx.inventory.commit(changes, ops, { sync: true });
    return { asn: built.asn, skipped: built.skipped, replaced: { ...summarise(old), status: 'superseded' as const, supersededBy: built.asn.asnId } };
  });
  await ctx.audit.append([
    { actor, action: 'asn.replace', subject: asnId, details: { by: result.asn.asnId, removed: [...remove], reason: options.reason ?? null, totals: result.asn.totals } },
  ]);
  return result;
}

export function asnNotLive(asn: AsnSummary, what: string): HubflashError {
  const hint = asn.status === 'superseded' ? ` (it was replaced by ${asn.supersededBy})` : '';
  return new HubflashError(ErrorCode.AsnNotLive, `ASN ${asn.asnId} is ${asn.status}${hint}, so it cannot be ${what}`, { asnId: asn.asnId, status: asn.status });
}
