import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASN_CSV_COLUMNS } from '../../../server/domain/asn/csv.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { chf, OPERATOR, openHarness, verifiedOrder, type Harness } from '../orders/harness.ts';
import { checkX12 } from './x12check.ts';

/** The ASN exports in detail (docs/orders.md, "Exports"). */
describe('ASN exports', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness({ csp: { name: 'CSP*North', site: 'Ware~house>2', x12SenderId: 'CSPNORTH' } });
    image = await h.addImage();
  });
  afterEach(() => h.close());

  const segments = (text: string, tag: string): string[] => text.split('\n').filter((s) => s.startsWith(`${tag}*`));

  it('856: N1 SF and N1 ST name both ends, PRF carries the party reference, and separator characters in free text become spaces', async () => {
    const orderId = await verifiedOrder(h, image, 2, { reference: 'PO*7~B>C', party: { id: 'SUPPLIER-A', name: 'North*Gas~Ltd>' } });
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const text = await h.desk.asnX12(asn.asnId);
    expect(segments(text, 'N1')).toEqual(['N1*SF*CSP North*92*Ware house 2~', 'N1*ST*North Gas Ltd *92*SUPPLIER-A/DEPOT-1~']);
    expect(segments(text, 'PRF')).toEqual(['PRF*PO 7 B C~']);
    expect(segments(text, 'REF')[0]).toBe(`REF*ZZ*${orderId}*HUBFLASH ORDER~`);
    // The receiver is the party ID, padded to 15; the only '>' left is the component separator (ISA16).
    expect(segments(text, 'ISA')[0]).toMatch(/^ISA\*00\* {10}\*00\* {10}\*ZZ\*CSPNORTH {7}\*ZZ\*SUPPLIER-A {5}\*\d{6}\*\d{4}\*U\*00401\*000000001\*0\*P\*>~$/);
    expect(text.split('>')).toHaveLength(2);
    checkX12(text, await h.desk.asn(asn.asnId), '00');
  });

  it('856: N1 ST names the party by its ID when the order gave no name', async () => {
    const orderId = await verifiedOrder(h, image, 1, { party: { id: 'SUPPLIER-B' } });
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    expect(segments(await h.desk.asnX12(asn.asnId), 'N1')[1]).toBe('N1*ST*SUPPLIER-B*92*SUPPLIER-B/DEPOT-1~');
  });

  it('CSV: the documented columns in order, CRLF line ends, and a value with a comma or quotes quoted', async () => {
    const orderId = await verifiedOrder(h, image, 2, { reference: 'PO 7, north' });
    const { asn } = await h.desk.issueAsn(orderId, OPERATOR);
    const text = await h.desk.asnCsv(asn.asnId);
    const columns = 'asnId,purpose,status,supersedes,orderId,orderReference,partyId,locationId,palletSscc,cartonSscc,chfId,gpfId,model,hanVariant,firmwareVersion,firmwareHash';
    expect(ASN_CSV_COLUMNS.join(',')).toBe(columns);
    const rows = text.split('\r\n');
    expect(rows).toHaveLength(4); // header, 2 hubs, and the end of the last line
    expect(rows[0]).toBe(columns);
    const pallet = asn.pallets[0]!;
    const cartonOf = (chfId: string) => pallet.cartons.find((c) => c.hubs.some((x) => x.chfId === chfId))!.sscc;
    expect(rows).toContain(
      [asn.asnId, 'original', 'live', '', orderId, '"PO 7, north"', 'SUPPLIER-A', 'DEPOT-1', pallet.sscc, cartonOf(chf(0)), chf(0), chf(0, true), 'EDMI-CH2', 'DualBand', image.fileVersion, image.sha256].join(','),
    );
    expect(rows.at(-1)).toBe('');
    // An independent parser reads the value back as it was.
    expect((parse(text, { columns: true }) as Array<Record<string, string>>).map((r) => r.orderReference)).toEqual(['PO 7, north', 'PO 7, north']);
    // Quotes are doubled inside quotes.
    const quoted = await verifiedOrder(h, image, 1, { from: 10, reference: 'PO "8"' });
    const second = await h.desk.asnCsv((await h.desk.issueAsn(quoted, OPERATOR)).asn.asnId);
    expect(second.split('\r\n')[1]).toContain(`,${quoted},"PO ""8""",SUPPLIER-A,`);
    expect((parse(second, { columns: true }) as Array<Record<string, string>>)[0]!.orderReference).toBe('PO "8"');
  });
});
