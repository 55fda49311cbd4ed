import type { HistoryEvent } from '../inventory/history.ts';
import type { HubRecord } from '../inventory/hub.ts';
import type { HubChange, Inventory } from '../inventory/Inventory.ts';
import type { Custody } from '../inventory/values.ts';
import { canApply, CUSTODY_EVENTS, nextCustody, type CustodyChange, type CustodyEvent } from './custody.ts';

export interface CustodyContext {
  at: string;
  /** Who: `token:<id>:<name>`, `rig:<id>`… */
  by: string;
  place: string;
  orderId?: string;
  asnId?: string;
  rigId?: string;
}

/**
 * The hub after a custody event, as a change for `Inventory.commit` with its ledger line (a
 * `custody-change` history event). Returns undefined when the hub stays where it is. Throws
 * CustodyTransitionInvalid when the event cannot happen from the hub's state.
 */
export function custodyChange(hub: HubRecord, event: CustodyEvent, ctx: CustodyContext): HubChange | undefined {
  const to = nextCustody(hub.chfId, hub.custody, event);
  return to === hub.custody ? undefined : build(hub, to, event, ctx);
}

/** As custodyChange, but a hub already in the target state or not in a starting state is left alone. */
export function custodyChangeIfAllowed(hub: HubRecord, event: CustodyEvent, ctx: CustodyContext): HubChange | undefined {
  const to: Custody = CUSTODY_EVENTS[event].to;
  if (hub.custody === to || !canApply(hub.custody, event)) return undefined;
  return build(hub, to, event, ctx);
}

/** Applies a further change on top of a change already planned for the same hub. */
export function chain(first: HubChange | undefined, hub: HubRecord, next: (current: HubRecord) => HubChange | undefined): HubChange | undefined {
  const second = next(first ? first.after : hub);
  if (!first) return second;
  if (!second) return first;
  return { ...(first.before ? { before: first.before } : {}), after: second.after, events: [...first.events, ...second.events] };
}

function build(hub: HubRecord, to: Custody, event: CustodyEvent, ctx: CustodyContext): HubChange {
  const details: CustodyChange = {
    from: hub.custody,
    to,
    event,
    place: ctx.place,
    ...(ctx.orderId ? { orderId: ctx.orderId } : {}),
    ...(ctx.asnId ? { asnId: ctx.asnId } : {}),
    ...(ctx.rigId ? { rigId: ctx.rigId } : {}),
  };
  const ev: HistoryEvent = { type: 'custody-change', at: ctx.at, by: ctx.by, details: details as unknown as Record<string, unknown> };
  return { before: hub, after: { ...hub, custody: to, updatedAt: ctx.at }, events: [ev] };
}

export interface LedgerLine extends Partial<CustodyChange> {
  at: string;
  by: string;
  from?: Custody;
  to: Custody;
}

/** A hub's custody ledger: the custody changes in its history, oldest first. */
export async function custodyLedger(inventory: Inventory, chfId: string): Promise<{ current: Custody; lines: LedgerLine[] }> {
  const hub = await inventory.require(chfId);
  const lines: LedgerLine[] = [];
  let cursor: string | undefined;
  do {
    const page = await inventory.history(hub.chfId, 1000, cursor);
    for (const e of page.items) {
      if (e.type !== 'custody-change') continue;
      const d = (e.details ?? {}) as Partial<CustodyChange>;
      lines.push({ ...d, at: e.at, by: e.by, to: d.to ?? hub.custody });
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { current: hub.custody, lines };
}
