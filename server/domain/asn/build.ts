import type { BatchOp } from '../../storage/Store.ts';
import { canApply, CUSTODY_LABELS } from '../custody/custody.ts';
import { custodyChange } from '../custody/ledger.ts';
import { places } from '../custody/places.ts';
import type { HubRecord } from '../inventory/hub.ts';
import type { HubChange } from '../inventory/Inventory.ts';
import { INSTALLED_STATUSES } from '../inventory/values.ts';
import type { OrdersContext } from '../orders/context.ts';
import { nextNumber } from '../orders/counters.ts';
import { liveAsnKey, orderAsnKey, ssccKey } from '../orders/keys.ts';
import type { Order, OrderLine } from '../orders/model.ts';
import { putLine } from '../orders/orderStore.ts';
import { putAsnContents, putAsnSummary } from './asnStore.ts';
import { formatAsnId, type Asn, type AsnHub, type AsnPurpose } from './model.ts';
import { pack } from './packing.ts';
import { SsccAllocator } from './sscc.ts';

export interface ShipCandidate {
  line: OrderLine;
  hub: HubRecord | undefined;
  /** Already in transit on the ASN being replaced: no custody change. */
  alreadyDispatched?: boolean;
}

export interface NewAsn {
  asn: Asn;
  changes: HubChange[];
  ops: BatchOp[];
  /** Candidates left off, with why. */
  skipped: Array<{ chfId: string; reason: string }>;
}

/** Why a hub may not go on an ASN, or undefined when it may: verified at its order's target. */
export function notShippable(line: OrderLine, hub: HubRecord | undefined): string | undefined {
  if (!hub) return 'not in the inventory';
  if (hub.smiStatus && INSTALLED_STATUSES.includes(hub.smiStatus)) return `${hub.smiStatus} in the SMI`;
  if (!line.target) return 'no target firmware';
  if (hub.firmwareVersion !== line.target.version || hub.firmwareHash !== line.target.hash) {
    return `the inventory shows firmware ${hub.firmwareVersion ?? '?'} (${hub.firmwareHash ?? 'hash unknown'}), not the target ${line.target.version} (${line.target.hash})`;
  }
  if (!hub.model || !hub.hanVariant) return 'its model or HAN variant is not known';
  return undefined;
}

/**
 * Builds a new ASN for the shippable candidates: a new ASN number, new SSCCs (the counters move
 * in the same batch), the packing, the hubs' lines (shipped), the live-ASN index, the outbound
 * SSCC registry and the hubs' custody (dispatched). The caller commits it under the write lock.
 */
export async function buildAsn(
  ctx: OrdersContext,
  order: Order,
  candidates: readonly ShipCandidate[],
  meta: { purpose: AsnPurpose; supersedes?: string; at: string; by: string },
): Promise<NewAsn | { skipped: NewAsn['skipped'] }> {
  const skipped: NewAsn['skipped'] = [];
  const shipping: Array<{ candidate: ShipCandidate; hub: HubRecord; asnHub: AsnHub }> = [];
  for (const candidate of candidates) {
    const { line, hub } = candidate;
    const why = notShippable(line, hub) ?? (hub && !candidate.alreadyDispatched && !canApply(hub.custody, 'dispatched') ? `it is ${CUSTODY_LABELS[hub.custody]}, not at the CSP` : undefined);
    if (why || !hub) {
      skipped.push({ chfId: line.chfId, reason: why ?? 'not in the inventory' });
      continue;
    }
    shipping.push({
      candidate,
      hub,
      asnHub: {
        chfId: hub.chfId,
        ...(hub.gpfId ? { gpfId: hub.gpfId } : {}),
        model: hub.model!,
        hanVariant: hub.hanVariant!,
        firmwareVersion: line.target!.version,
        firmwareHash: line.target!.hash,
      },
    });
  }
  if (shipping.length === 0) return { skipped };

  const { value: seq, op: asnCounter } = await nextNumber(ctx.store, 'asn');
  const asnId = formatAsnId(seq);
  const ssccs = await new SsccAllocator(ctx.store, ctx.gs1CompanyPrefix, ctx.config.asn.ssccExtensionDigit).reserve();
  const pallets = pack(shipping.map((s) => s.asnHub), ctx.config.asn, ssccs.take);
  const shipTo = {
    partyId: order.party.id,
    ...(order.party.name ? { partyName: order.party.name } : {}),
    locationId: order.deliveryLocation.id,
    ...(order.deliveryLocation.name ? { locationName: order.deliveryLocation.name } : {}),
    ...(order.deliveryLocation.address ? { address: order.deliveryLocation.address } : {}),
  };
  const asn: Asn = {
    asnId,
    seq,
    purpose: meta.purpose,
    status: 'live',
    ...(meta.supersedes ? { supersedes: meta.supersedes } : {}),
    shipFrom: { name: ctx.config.csp.name, site: ctx.config.csp.site },
    shipTo,
    order: { orderId: order.orderId, reference: order.reference, kind: order.kind },
    pallets,
    totals: { pallets: pallets.length, cartons: pallets.reduce((n, p) => n + p.cartons.length, 0), hubs: shipping.length },
    issuedAt: meta.at,
    issuedBy: meta.by,
  };
  const ops: BatchOp[] = [asnCounter, ...ssccs.counterOps(), putAsnSummary(asn), putAsnContents(asn), { type: 'put', key: orderAsnKey(order.orderId, asnId), value: '' }];
  for (const sscc of ssccs.used) ops.push({ type: 'put', key: ssccKey(sscc), value: `${asnId} (outbound)` });
  const changes: HubChange[] = [];
  const place = places.toUser(asnId, shipTo);
  for (const { candidate, hub } of shipping) {
    ops.push(putLine(order.orderId, { ...candidate.line, state: 'shipped', asnId, updatedAt: meta.at }));
    ops.push({ type: 'put', key: liveAsnKey(hub.chfId), value: asnId });
    if (!candidate.alreadyDispatched) {
      const change = custodyChange(hub, 'dispatched', { at: meta.at, by: meta.by, place, orderId: order.orderId, asnId });
      if (change) changes.push(change);
    }
  }
  return { asn, changes, ops, skipped };
}
