import { ErrorCode, HubflashError, isHubflashError } from '../../../protocol/errors/index.ts';
import type { ErrorSummary } from '../../../protocol/mqtt/index.ts';
import { parseFirmwareHash } from '../../../protocol/ids/index.ts';
import type { BatchOp } from '../../storage/Store.ts';
import { custodyChange } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import { flattenArrivals, type Rejection } from './arrivals.ts';
import { ukToday } from './clock.ts';
import type { OrdersContext } from './context.ts';
import { nextNumber } from './counters.ts';
import { checkEligibility, normaliseTargetVersion } from './eligibility.ts';
import { liveOrderKey, referenceKey, ssccKey } from './keys.ts';
import { formatOrderId, jobIdOf, orderInputSchema, type Order, type OrderLine, type OrderProgress, type OrderTarget, type ParsedOrderInput } from './model.ts';
import { orderProgress, putLine, putOrder } from './orderStore.ts';
import { summarise, summary } from './summary.ts';

export interface TakeResult {
  order: Order;
  progress: OrderProgress;
  /** Hubs taken on the order but not eligible, with the reason (they do not block the rest). */
  ineligible: Array<{ chfId: string; reason: ErrorSummary }>;
  /** Hubs named by the order and not taken on it (bad ID, named twice, on another live order). */
  rejected: Rejection[];
}

/**
 * Takes an order. Refused whole (nothing written) when the request is malformed, its reference
 * was already used by the party, or an SSCC is invalid or already used. Otherwise every hub is
 * checked on its own: ineligible hubs are taken and listed with the reason; hubs that cannot be
 * taken at all are listed as rejected. The order, its lines, the hubs' custody and the SSCC
 * registry are written in one atomic batch.
 */
export async function takeOrder(ctx: OrdersContext, input: unknown, actor: string): Promise<TakeResult> {
  const parsed = parseOrderInput(input);
  const targets = parsed.targets.map(normaliseTarget);
  const models = targets.map((t) => t.model);
  const twice = models.find((m, i) => models.indexOf(m) !== i);
  if (twice !== undefined) throw new HubflashError(ErrorCode.OrderInvalid, `Invalid order: model ${twice} has two targets; name one target per model`, { model: twice });
  const flat = flattenArrivals(parsed.arrivals);
  const { kind, party, deliveryLocation } = parsed;
  const result = await ctx.inventory.lock.run(async () => {
    const at = ctx.now().toISOString();
    const taken = await ctx.store.get(referenceKey(party.id, parsed.reference));
    if (taken !== undefined) {
      throw new HubflashError(ErrorCode.OrderDuplicate, `Party ${party.id} already has order reference ${JSON.stringify(parsed.reference)} (taken as ${taken}): use a new reference, or look at ${taken}`, { orderId: taken, reference: parsed.reference });
    }
    const used = await ctx.store.getMany(flat.ssccs.map((s) => ssccKey(s.sscc)));
    const clashes = flat.ssccs.flatMap((s, i) => (used[i] === undefined ? [] : [`${s.sscc} (${s.where}) was already used by ${used[i]}`]));
    if (clashes.length > 0) {
      throw new HubflashError(ErrorCode.SsccDuplicate, `The order reuses SSCCs: ${clashes.slice(0, 10).join('; ')}. An SSCC labels one pallet or carton for ever; nothing was taken`, { clashes });
    }
    const ids = flat.hubs.map((h) => h.chfId);
    const [hubs, live, images] = await Promise.all([ctx.inventory.getMany(ids), ctx.store.getMany(ids.map(liveOrderKey)), ctx.catalogue.list()]);
    const { value: seq, op: counterOp } = await nextNumber(ctx.store, 'order');
    const orderId = formatOrderId(seq);
    const today = ukToday(ctx.now());
    const rejected: Rejection[] = [...flat.rejected];
    const ineligible: TakeResult['ineligible'] = [];
    const changes: HubChange[] = [];
    const ops: BatchOp[] = [counterOp];
    const userPlace = { partyId: party.id, ...(party.name ? { partyName: party.name } : {}), locationId: deliveryLocation.id };
    flat.hubs.forEach((arrival, i) => {
      const { chfId } = arrival;
      const hub = hubs[i];
      const where = `hub ${chfId}`;
      if (live[i] !== undefined) {
        rejected.push({ chfId, where, error: summary(ErrorCode.HubOnLiveOrder, `Hub ${chfId} is already on live order ${live[i]}: a hub is on one live order at a time; finish or cancel ${live[i]} first`, { chfId, orderId: live[i] }) });
        return;
      }
      if (hub) {
        try {
          const event = kind === 'return-for-reflash' ? 'return-shipped' : 'uplift-intake';
          const place = kind === 'return-for-reflash' ? places.toCsp(userPlace, ctx.config) : places.csp(ctx.config);
          const change = custodyChange(hub, event, { at, by: actor, place, orderId });
          if (change) changes.push(change);
        } catch (err) {
          if (!isHubflashError(err)) throw err;
          rejected.push({ chfId, where, error: summarise(err) });
          return;
        }
      }
      const check = checkEligibility({ chfId, hub, targets, images, today });
      const line: OrderLine = {
        chfId,
        state: check.eligible ? (kind === 'return-for-reflash' ? 'expected' : 'received') : 'ineligible',
        ...(check.eligible ? { target: { version: check.image.fileVersion, hash: check.image.sha256 }, jobId: jobIdOf(orderId, chfId) } : { reason: check.reason }),
        ...(arrival.palletSscc ? { palletSscc: arrival.palletSscc } : {}),
        ...(arrival.cartonSscc ? { cartonSscc: arrival.cartonSscc } : {}),
        updatedAt: at,
      };
      if (!check.eligible) ineligible.push({ chfId, reason: check.reason });
      ops.push(putLine(orderId, line), { type: 'put', key: liveOrderKey(chfId), value: orderId });
    });
    const lines = flat.hubs.length - (rejected.length - flat.rejected.length);
    if (lines === 0) {
      throw new HubflashError(ErrorCode.OrderInvalid, `No hub of the order can be taken (${rejected.length} rejected; the first: ${rejected[0]?.error.message ?? 'none'}); nothing was taken`, { rejected });
    }
    const order: Order = {
      orderId,
      seq,
      reference: parsed.reference,
      kind,
      party,
      deliveryLocation,
      targets,
      arrivals: flat.normalised,
      status: 'open',
      createdAt: at,
      createdBy: actor,
      hubs: lines,
      ...(kind === 'supply-chain-uplift' ? { receivedAt: at } : {}),
    };
    ops.push(putOrder(order), { type: 'put', key: referenceKey(party.id, parsed.reference), value: orderId });
    for (const s of flat.ssccs) ops.push({ type: 'put', key: ssccKey(s.sscc), value: `order ${orderId} (inbound)` });
    await ctx.inventory.commit(changes, ops, { sync: true });
    return { order, ineligible, rejected };
  });
  await ctx.audit.append([
    {
      actor,
      action: 'order.take',
      subject: result.order.orderId,
      details: {
        reference: result.order.reference,
        kind,
        party: party.id,
        hubs: result.order.hubs,
        ineligible: result.ineligible.length,
        rejected: result.rejected.map((r) => ({ chfId: r.chfId, code: r.error.code })),
      },
    },
  ]);
  return { ...result, progress: await orderProgress(ctx.store, result.order.orderId) };
}

function parseOrderInput(input: unknown): ParsedOrderInput {
  const parsed = orderInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(order)'}: ${i.message}`);
    throw new HubflashError(ErrorCode.OrderInvalid, `Invalid order: ${issues.join('; ')}`, { issues });
  }
  return parsed.data;
}

function normaliseTarget(t: ParsedOrderInput['targets'][number], i: number): OrderTarget {
  try {
    return {
      model: t.model,
      ...(t.firmwareVersion !== undefined ? { firmwareVersion: normaliseTargetVersion(t.firmwareVersion) } : {}),
      ...(t.imageHash !== undefined ? { imageHash: parseFirmwareHash(t.imageHash) } : {}),
    };
  } catch (err) {
    if (!isHubflashError(err)) throw err;
    throw new HubflashError(ErrorCode.OrderInvalid, `Invalid order: targets.${i}: ${err.message}`, { target: i });
  }
}
