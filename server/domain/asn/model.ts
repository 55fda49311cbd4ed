import type { HanVariant } from '../../../protocol/mqtt/index.ts';
import type { OrderKind } from '../orders/model.ts';

/**
 * An Advanced Shipment Notification, in the hierarchy of the ASC X12 856 Ship Notice:
 * shipment → order → pallet (tare) → carton (pack) → hub (item), SSCCs on pallets and cartons.
 * An ASN is never edited: it is cancelled, or replaced by a new ASN with a new ID.
 */
export interface AsnHub {
  chfId: string;
  gpfId?: string;
  model: string;
  hanVariant: HanVariant;
  /** The new firmware: 8 hex digits and SHA-256. */
  firmwareVersion: string;
  firmwareHash: string;
}

export interface AsnCarton {
  sscc: string;
  hubs: AsnHub[];
}

export interface AsnPallet {
  sscc: string;
  cartons: AsnCarton[];
}

/** `original` (X12 BSN01 00) or `replace` (05); a cancelled ASN is exported as a cancellation (01). */
export type AsnPurpose = 'original' | 'replace';
/** Only a `live` ASN holds its hubs; `delivered` is done, the others are history. */
export type AsnStatus = 'live' | 'delivered' | 'cancelled' | 'superseded';

export interface AsnParty {
  partyId: string;
  partyName?: string;
  locationId: string;
  locationName?: string;
  address?: string;
}

export interface Asn {
  asnId: string;
  /** The number behind the ID; also the X12 control number. */
  seq: number;
  purpose: AsnPurpose;
  status: AsnStatus;
  supersedes?: string;
  supersededBy?: string;
  shipFrom: { name: string; site: string };
  shipTo: AsnParty;
  order: { orderId: string; reference: string; kind: OrderKind };
  pallets: AsnPallet[];
  totals: { pallets: number; cartons: number; hubs: number };
  issuedAt: string;
  issuedBy: string;
  cancelledAt?: string;
  cancelledBy?: string;
  cancelReason?: string;
  deliveredAt?: string;
  deliveredBy?: string;
}

/** The ASN without its hubs: what lists show. */
export type AsnSummary = Omit<Asn, 'pallets'>;

export function summarise(asn: Asn): AsnSummary {
  const { pallets: _pallets, ...rest } = asn;
  return rest;
}

export function* asnHubs(asn: Asn): Generator<{ pallet: AsnPallet; carton: AsnCarton; hub: AsnHub }> {
  for (const pallet of asn.pallets) for (const carton of pallet.cartons) for (const hub of carton.hubs) yield { pallet, carton, hub };
}

export function formatAsnId(seq: number): string {
  return `ASN-${String(seq).padStart(8, '0')}`;
}
