import { expect } from 'vitest';
import { X12Parser, type X12Interchange, type X12Segment } from 'node-x12';
import { validateSscc } from '../../../protocol/ids/index.ts';
import { asnHubs, type Asn } from '../../../server/domain/asn/model.ts';

const value = (s: X12Segment, i: number): string => s.valueOf(i) ?? '';

/**
 * Parses an 856 with node-x12 (an independent parser) and checks it against the ASN: envelope
 * control numbers and counts, the HL hierarchy S → O → T → P → I with correct parents, the
 * SSCCs at T and P, the hubs at I, and the CTT totals.
 */
export function checkX12(text: string, asn: Asn, purpose: '00' | '05' | '01'): void {
  const interchange = new X12Parser(true).parse(text) as X12Interchange;
  expect(value(interchange.header, 13)).toBe(value(interchange.trailer, 2));
  expect(interchange.functionalGroups).toHaveLength(1);
  const group = interchange.functionalGroups[0]!;
  expect(value(group.header, 1)).toBe('SH');
  expect(value(group.trailer, 1)).toBe('1');
  expect(value(group.header, 6)).toBe(value(group.trailer, 2));
  expect(group.transactions).toHaveLength(1);
  const ts = group.transactions[0]!;
  expect(value(ts.header, 1)).toBe('856');
  expect(Number(value(ts.trailer, 1))).toBe(ts.segments.length + 2);
  expect(value(ts.trailer, 2)).toBe(value(ts.header, 2));

  const bsn = ts.segments.find((s) => s.tag === 'BSN')!;
  expect([value(bsn, 1), value(bsn, 2)]).toEqual([purpose, asn.asnId]);

  const levels = new Map<string, string>();
  const parentLevel: Record<string, string> = { O: 'S', T: 'O', P: 'T', I: 'P' };
  const counts: Record<string, number> = { S: 0, O: 0, T: 0, P: 0, I: 0 };
  const palletSsccs: string[] = [];
  const cartonSsccs: string[] = [];
  const hubs: Array<{ chfId: string; model: string; variant: string; version: string; hash: string }> = [];
  let current = '';
  for (const s of ts.segments) {
    if (s.tag === 'HL') {
      const [id, parent, level] = [value(s, 1), value(s, 2), value(s, 3)];
      expect(Number(id)).toBe(levels.size + 1);
      if (level === 'S') expect(parent).toBe('');
      else expect(levels.get(parent), `HL ${id} (${level}) has parent ${parent}`).toBe(parentLevel[level]);
      levels.set(id, level);
      counts[level]!++;
      current = level;
    } else if (s.tag === 'MAN') {
      expect(value(s, 1)).toBe('GM');
      validateSscc(value(s, 2));
      (current === 'T' ? palletSsccs : current === 'P' ? cartonSsccs : expect.fail(`MAN under ${current}`)).push(value(s, 2));
    } else if (s.tag === 'LIN') {
      expect(current).toBe('I');
      hubs.push({ chfId: value(s, 3), model: value(s, 5), variant: value(s, 7), version: '', hash: '' });
    } else if (s.tag === 'REF' && current === 'I') {
      Object.assign(hubs[hubs.length - 1]!, { version: value(s, 2), hash: value(s, 3) });
    }
  }
  expect(counts).toEqual({ S: 1, O: 1, T: asn.totals.pallets, P: asn.totals.cartons, I: asn.totals.hubs });
  expect(palletSsccs).toEqual(asn.pallets.map((p) => p.sscc));
  expect(cartonSsccs).toEqual(asn.pallets.flatMap((p) => p.cartons.map((c) => c.sscc)));
  expect(hubs).toEqual([...asnHubs(asn)].map(({ hub }) => ({ chfId: hub.chfId, model: hub.model, variant: hub.hanVariant, version: hub.firmwareVersion, hash: hub.firmwareHash })));
  const ctt = ts.segments.find((s) => s.tag === 'CTT')!;
  expect([Number(value(ctt, 1)), Number(value(ctt, 2))]).toEqual([levels.size, asn.totals.hubs]);
}
