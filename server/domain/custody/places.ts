import type { OrdersConfig } from '../orders/config.ts';

/** How the custody ledger names places: a party's location, the CSP's warehouse, a rig, a carrier. */
export interface PartyLocation {
  partyId: string;
  partyName?: string;
  locationId: string;
}

export const places = {
  user: (p: PartyLocation): string => `${p.partyName ?? p.partyId} (${p.partyId}) at ${p.locationId}`,
  toCsp: (p: PartyLocation, config: OrdersConfig): string => `carrier from ${p.partyId}/${p.locationId} to ${config.csp.name} ${config.csp.site}`,
  csp: (config: OrdersConfig): string => `${config.csp.name} ${config.csp.site}`,
  rig: (rigId: string, config: OrdersConfig): string => `rig ${rigId} at ${config.csp.name} ${config.csp.site}`,
  toUser: (asnId: string, p: PartyLocation): string => `carrier on ${asnId} to ${p.partyId}/${p.locationId}`,
};
