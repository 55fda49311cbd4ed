/**
 * `hubflash asn …`: issue, show, export, replace, cancel and confirm delivery of ASNs (through
 * the API).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { ChargeLine } from '../../server/domain/charges/chargeBook.ts';
import { formatPence } from '../../server/domain/charges/tariff.ts';
import type { Asn, AsnSummary } from '../../server/domain/asn/model.ts';
import type { Order } from '../../server/domain/orders/model.ts';
import { apiClient, DEFAULT_SERVER_URL, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };
type Skipped = Array<{ chfId: string; reason: string }>;
const enc = encodeURIComponent;

function exportsText(asnId: string, opts: ApiOptions): string {
  const base = `${opts.server ?? process.env.HUBFLASH_SERVER ?? DEFAULT_SERVER_URL}/api/v1/asns/${asnId}`;
  return `Exports: ${base} (JSON), ${base}.csv, ${base}.856 (ASC X12 856)\n`;
}

function issuedText(asn: AsnSummary, skipped: Skipped, opts: ApiOptions): string {
  const lines = [`${asn.asnId} (${asn.purpose}${asn.supersedes ? `, replaces ${asn.supersedes}` : ''}) for ${asn.order.orderId}: ${asn.totals.hubs} hubs on ${asn.totals.pallets} pallets, ${asn.totals.cartons} cartons, to ${asn.shipTo.partyId}/${asn.shipTo.locationId}`];
  if (skipped.length) lines.push(`Left off:`, ...skipped.map((s) => `  ${s.chfId}  ${s.reason}`));
  return `${lines.join('\n')}\n${exportsText(asn.asnId, opts)}`;
}

const SUMMARY_HEADERS = ['ASN', 'ORDER', 'STATUS', 'PURPOSE', 'HUBS', 'PALLETS', 'ISSUED', 'NOTE'];
const summaryRow = (a: AsnSummary): string[] => [
  a.asnId, a.order.orderId, a.status, a.purpose, String(a.totals.hubs), String(a.totals.pallets), a.issuedAt,
  a.supersededBy ? `replaced by ${a.supersededBy}` : a.supersedes ? `replaces ${a.supersedes}` : a.cancelReason ? `cancelled: ${a.cancelReason}` : a.deliveredAt ? `delivered ${a.deliveredAt}` : '',
];

export function register(program: Command): void {
  const asn = program.command('asn').description('Advanced Shipment Notifications: issue, export, replace, cancel, delivery');

  withApiFlags(asn.command('issue <orderId>').description('Issues a new ASN for the verified hubs of an order not yet on a live ASN')).action(async (orderId: string, opts: ReadOptions) => {
    const r = await apiClient(opts).post<{ asn: AsnSummary; skipped: Skipped }>(`/orders/${enc(orderId)}/asns`);
    print(opts.json, r, () => issuedText(r.asn, r.skipped, opts));
  });

  withApiFlags(asn.command('list').description('ASNs, every status')).option('--order <orderId>', 'only this order').action(async (opts: ReadOptions & { order?: string }) => {
    const { items } = await apiClient(opts).get<{ items: AsnSummary[] }>('/asns', { orderId: opts.order });
    print(opts.json, items, () => formatTable(SUMMARY_HEADERS, items.map(summaryRow)));
  });

  withApiFlags(asn.command('show <asnId>').description('An ASN: shipment, order, pallets and cartons with their SSCCs (--json for every hub)')).action(async (asnId: string, opts: ReadOptions) => {
    const a = await apiClient(opts).get<Asn>(`/asns/${enc(asnId)}`);
    print(opts.json, a, () => {
      const rows = a.pallets.flatMap((p) => p.cartons.map((c) => [p.sscc, c.sscc, String(c.hubs.length), [...new Set(c.hubs.map((h) => `${h.model} ${h.hanVariant} ${h.firmwareVersion}`))].join('; ')]));
      return `${formatTable(SUMMARY_HEADERS, [summaryRow(a)])}\n${formatTable(['PALLET SSCC', 'CARTON SSCC', 'HUBS', 'CONTENTS'], rows)}${exportsText(a.asnId, opts)}`;
    });
  });

  withApiFlags(asn.command('export <asnId>').description('Writes an ASN as JSON, CSV or ASC X12 856'), false)
    .option('--format <format>', 'json, csv or 856', 'json')
    .option('--out <file>', 'write to this file (default: stdout)')
    .action(async (asnId: string, opts: ApiOptions & { format: string; out?: string }) => {
      if (!['json', 'csv', '856'].includes(opts.format)) throw new HubflashError(ErrorCode.InvalidRequest, `--format must be json, csv or 856, not ${opts.format}`);
      const res = await apiClient(opts).fetchRaw(`/asns/${enc(asnId)}${opts.format === 'json' ? '' : `.${opts.format}`}`);
      const text = await res.text();
      if (opts.out) {
        writeFileSync(opts.out, text);
        process.stderr.write(`${asnId} written to ${opts.out}\n`);
      } else process.stdout.write(text);
    });

  withApiFlags(asn.command('replace <asnId>').description('Replaces a live ASN by a new one (new ID and SSCCs); the old one is kept as superseded'))
    .option('--remove <chfId...>', 'hubs to take off')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (asnId: string, opts: ReadOptions & { remove?: string[]; reason?: string }) => {
      const r = await apiClient(opts).post<{ asn: AsnSummary; replaced: AsnSummary; skipped: Skipped }>(`/asns/${enc(asnId)}/replace`, {}, { ...(opts.remove ? { remove: opts.remove } : {}), ...(opts.reason ? { reason: opts.reason } : {}) });
      print(opts.json, r, () => issuedText(r.asn, r.skipped, opts));
    });

  withApiFlags(asn.command('cancel <asnId>').description('Cancels a live ASN; its ID is never used again and its hubs may go on a new ASN'), false)
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action(async (asnId: string, opts: ApiOptions & { reason: string }) => {
      await apiClient(opts).post<AsnSummary>(`/asns/${enc(asnId)}/cancel`, {}, { reason: opts.reason });
      process.stdout.write(`${asnId} cancelled.\n`);
    });

  withApiFlags(asn.command('deliver <asnId>').description('Confirms delivery: custody to the User, charge lines for a return-for-re-flash order'))
    .option('--at <time>', 'when it was delivered (ISO 8601; default now)')
    .action(async (asnId: string, opts: ReadOptions & { at?: string }) => {
      const r = await apiClient(opts).post<{ asn: AsnSummary; charges: ChargeLine[]; order: Order }>(`/asns/${enc(asnId)}/delivery`, {}, opts.at ? { at: opts.at } : {});
      const pence = r.charges.reduce((n, c) => n + c.pence, 0);
      print(opts.json, r, () => `${asnId} delivered: ${r.asn.totals.hubs} hubs; ${r.charges.length} charge lines, ${formatPence(pence)}; order ${r.order.orderId} is ${r.order.status}.\n`);
    });
}
