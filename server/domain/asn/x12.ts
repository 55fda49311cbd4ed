import type { Asn } from './model.ts';

/** Who sends and receives the interchange (ISA06/ISA08, GS02/GS03), qualifier ZZ (mutually defined). */
export interface X12Parties {
  senderId: string;
  receiverId: string;
  /** `P` production or `T` test (ISA15). */
  usage?: 'P' | 'T';
}

const ELEMENT = '*';
const SEGMENT = '~';
const COMPONENT = '>';

/** BSN01 transaction set purpose codes. */
export const PURPOSE_CODES = { original: '00', replace: '05', cancellation: '01' } as const;

/**
 * Writes an ASN as an ASC X12 856 Ship Notice (version 004010):
 *
 *   ISA GS ST BSN
 *   HL S  (DTM shipped, N1 SF ship-from, N1 ST ship-to, REF replaced ASN)
 *   HL O  (PRF the party's order reference, REF our order ID)
 *   HL T  (MAN GM pallet SSCC)
 *   HL P  (MAN GM carton SSCC)
 *   HL I  (LIN SN CHF ID / MN model / ZZ HAN variant, SN1 1 EA, REF ZZ firmware version / hash)
 *   CTT (HL count, hub count) SE GE IEA
 *
 * A cancelled ASN is written as a cancellation (BSN01 01) of its own ID. Control numbers come
 * from the ASN's sequence number, so exporting the same ASN twice gives the same document.
 */
export function asnToX12(asn: Asn, parties: X12Parties): string {
  const issued = new Date(asn.status === 'cancelled' && asn.cancelledAt ? asn.cancelledAt : asn.issuedAt);
  const date8 = issued.toISOString().slice(0, 10).replaceAll('-', '');
  const time4 = issued.toISOString().slice(11, 16).replace(':', '');
  const control = String(asn.seq % 1_000_000_000).padStart(9, '0');
  const purpose = asn.status === 'cancelled' ? PURPOSE_CODES.cancellation : PURPOSE_CODES[asn.purpose];

  const out: string[] = [];
  const seg = (...elements: Array<string | number>): void => {
    out.push(elements.map((e) => clean(String(e))).join(ELEMENT));
  };
  seg('ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', fixed(parties.senderId, 15), 'ZZ', fixed(parties.receiverId, 15), date8.slice(2), time4, 'U', '00401', control, '0', parties.usage ?? 'P');
  // ISA16 is the component separator itself, so it is the one element not cleaned.
  out[0] += ELEMENT + COMPONENT;
  seg('GS', 'SH', parties.senderId, parties.receiverId, date8, time4, String(asn.seq), 'X', '004010');
  const stStart = out.length;
  seg('ST', '856', '0001');
  seg('BSN', purpose, asn.asnId, date8, time4, '0001');

  let hl = 0;
  seg('HL', ++hl, '', 'S', '1');
  seg('DTM', '011', date8, time4);
  seg('N1', 'SF', asn.shipFrom.name, '92', asn.shipFrom.site);
  seg('N1', 'ST', asn.shipTo.partyName ?? asn.shipTo.partyId, '92', `${asn.shipTo.partyId}/${asn.shipTo.locationId}`);
  if (asn.supersedes) seg('REF', 'ZZ', asn.supersedes, 'REPLACES ASN');
  const shipmentHl = hl;
  seg('HL', ++hl, shipmentHl, 'O', '1');
  seg('PRF', asn.order.reference);
  seg('REF', 'ZZ', asn.order.orderId, 'HUBFLASH ORDER');
  const orderHl = hl;
  let hubs = 0;
  for (const pallet of asn.pallets) {
    seg('HL', ++hl, orderHl, 'T', '1');
    seg('MAN', 'GM', pallet.sscc);
    const palletHl = hl;
    for (const carton of pallet.cartons) {
      seg('HL', ++hl, palletHl, 'P', '1');
      seg('MAN', 'GM', carton.sscc);
      const cartonHl = hl;
      for (const hub of carton.hubs) {
        seg('HL', ++hl, cartonHl, 'I', '0');
        seg('LIN', '', 'SN', hub.chfId, 'MN', hub.model, 'ZZ', hub.hanVariant);
        seg('SN1', '', '1', 'EA');
        seg('REF', 'ZZ', hub.firmwareVersion, hub.firmwareHash);
        hubs++;
      }
    }
  }
  seg('CTT', hl, hubs);
  seg('SE', out.length - stStart + 1, '0001');
  seg('GE', '1', String(asn.seq));
  seg('IEA', '1', control);
  return out.map((s) => s + SEGMENT).join('\n') + '\n';
}

/** Free text may not contain the separators; control characters are dropped. */
function clean(s: string): string {
  return s.replace(/[*~>\x00-\x1f\x7f]/g, ' ');
}

function fixed(s: string, width: number): string {
  return clean(s).slice(0, width).padEnd(width, ' ');
}
