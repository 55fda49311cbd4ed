import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { Custody } from '../inventory/values.ts';

/**
 * The custody state machine. Every hub is always in someone's custody; each event names the
 * states it may start from and the state it ends in. Events the physical world forces on us
 * (a rig reports a hub it holds) accept more starting states than operator actions do: a hub
 * on a rig has evidently arrived, whatever the paperwork said.
 */
export const CUSTODY_EVENTS = {
  /**
   * A User's hub is taken on a return-for-re-flash order: the User ships it to the CSP. Order
   * intake states what the party holds, so it may correct the ledger from any state that is
   * not part of a flow in progress (on a rig, on its way to a User).
   */
  'return-shipped': { from: ['with-user', 'delivered', 'at-csp', 'in-transit-to-csp'], to: 'in-transit-to-csp' },
  /** The goods of an order arrive at the CSP. */
  received: { from: ['in-transit-to-csp'], to: 'at-csp' },
  /** A CSP hub is taken on a supply-chain-uplift order: it is in the CSP's warehouse. */
  'uplift-intake': { from: ['at-csp', 'with-user', 'delivered', 'in-transit-to-csp'], to: 'at-csp' },
  /** A rig connected the hub and took its job. */
  'on-rig': { from: ['at-csp', 'in-transit-to-csp', 'on-rig'], to: 'on-rig' },
  /** A rig reported its result for the hub: back on the warehouse shelf. */
  'off-rig': { from: ['on-rig', 'at-csp', 'in-transit-to-csp'], to: 'at-csp' },
  /** An ASN was issued: the hub leaves with the carrier. */
  dispatched: { from: ['at-csp', 'on-rig'], to: 'in-transit-to-user' },
  /** The ASN was cancelled before delivery: the hub is back at the CSP. */
  'dispatch-cancelled': { from: ['in-transit-to-user'], to: 'at-csp' },
  /** The User confirmed delivery. */
  delivered: { from: ['in-transit-to-user'], to: 'delivered' },
} as const satisfies Record<string, { from: readonly Custody[]; to: Custody }>;

export type CustodyEvent = keyof typeof CUSTODY_EVENTS;

export const CUSTODY_LABELS: Record<Custody, string> = {
  'with-user': 'with the User',
  'in-transit-to-csp': 'in transit to the CSP',
  'at-csp': 'at the CSP',
  'on-rig': 'on a rig',
  'in-transit-to-user': 'in transit to the User',
  delivered: 'delivered',
};

export function canApply(from: Custody, event: CustodyEvent): boolean {
  return (CUSTODY_EVENTS[event].from as readonly Custody[]).includes(from);
}

/** The state after `event`, or CustodyTransitionInvalid naming what was expected. */
export function nextCustody(chfId: string, from: Custody, event: CustodyEvent): Custody {
  const rule = CUSTODY_EVENTS[event];
  if (!canApply(from, event)) {
    const allowed = rule.from.map((s) => CUSTODY_LABELS[s]).join(' or ');
    throw new HubflashError(
      ErrorCode.CustodyTransitionInvalid,
      `Hub ${chfId} is ${CUSTODY_LABELS[from]}; "${event}" needs it ${allowed}. Check the hub's custody ledger (hubflash custody ${chfId})`,
      { chfId, from, event },
    );
  }
  return rule.to;
}

/** One line of a hub's custody ledger: stored as a `custody-change` event in its history. */
export interface CustodyChange {
  from: Custody;
  to: Custody;
  event: CustodyEvent;
  /** Where the hub is now: a party's location, the CSP's site, a rig, a carrier. */
  place: string;
  orderId?: string;
  asnId?: string;
  rigId?: string;
}
