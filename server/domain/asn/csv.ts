import { toCsv } from '../reports/csv.ts';
import { asnHubs, type Asn } from './model.ts';

export const ASN_CSV_COLUMNS = [
  'asnId', 'purpose', 'status', 'supersedes', 'orderId', 'orderReference', 'partyId', 'locationId',
  'palletSscc', 'cartonSscc', 'chfId', 'gpfId', 'model', 'hanVariant', 'firmwareVersion', 'firmwareHash',
] as const;

/** One row per hub, with its pallet and carton. */
export function asnToCsv(asn: Asn): string {
  return toCsv(ASN_CSV_COLUMNS, asnHubs(asn), ({ pallet, carton, hub }) => [
    asn.asnId, asn.purpose, asn.status, asn.supersedes, asn.order.orderId, asn.order.reference, asn.shipTo.partyId, asn.shipTo.locationId,
    pallet.sscc, carton.sscc, hub.chfId, hub.gpfId, hub.model, hub.hanVariant, hub.firmwareVersion, hub.firmwareHash,
  ]);
}
