/**
 * `hubflash order …`: take orders, follow their progress, receive their goods, cancel them
 * (through the API).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { AsnSummary } from '../../server/domain/asn/model.ts';
import type { TakeResult } from '../../server/domain/orders/intake.ts';
import type { Order, OrderLine, OrderProgress } from '../../server/domain/orders/model.ts';
import { apiClient, formatTable, print, withApiFlags, type ApiOptions } from '../../server/client/options.ts';

type ReadOptions = ApiOptions & { json?: boolean };
const enc = encodeURIComponent;

function progressText(p: OrderProgress): string {
  return Object.entries(p).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no hubs';
}

function takeText(r: TakeResult): string {
  const o = r.order;
  const lines = [`Order ${o.orderId} (${o.reference}, ${o.kind}, ${o.party.id} → ${o.deliveryLocation.id}): ${o.hubs} hubs taken: ${progressText(r.progress)}`];
  if (r.ineligible.length) lines.push(`Ineligible (taken, not flashed):`, ...r.ineligible.map((i) => `  ${i.chfId}  ${i.reason.code} ${i.reason.message}`));
  if (r.rejected.length) lines.push(`Not taken:`, ...r.rejected.map((x) => `  ${x.chfId}  ${x.where}  ${x.error.code} ${x.error.message}`));
  return `${lines.join('\n')}\n`;
}

function readOrderFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HubflashError(ErrorCode.OrderInvalid, `Cannot read the order file ${file}: ${(err as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HubflashError(ErrorCode.OrderInvalid, `The order file ${file} is not JSON: ${(err as Error).message}`, { file });
  }
}

export function register(program: Command): void {
  const order = program.command('order').description('Orders: supply-chain uplift and return for re-flash');

  withApiFlags(order.command('take <file>').description('Takes an order from a JSON file (see docs/orders.md); lists ineligible and rejected hubs')).action(async (file: string, opts: ReadOptions) => {
    const result = await apiClient(opts).post<TakeResult>('/orders', {}, readOrderFile(file));
    print(opts.json, result, () => takeText(result));
  });

  withApiFlags(order.command('list').description('Orders with their progress'))
    .option('--party <id>', 'only this party')
    .option('--status <status>', 'open, fulfilled or cancelled')
    .action(async (opts: ReadOptions & { party?: string; status?: string }) => {
      const { items } = await apiClient(opts).get<{ items: Array<{ order: Order; progress: OrderProgress }> }>('/orders', { party: opts.party, status: opts.status });
      print(opts.json, items, () =>
        formatTable(['ORDER', 'REFERENCE', 'KIND', 'PARTY', 'STATUS', 'HUBS', 'PROGRESS'], items.map(({ order: o, progress }) => [o.orderId, o.reference, o.kind, o.party.id, o.status, String(o.hubs), progressText(progress)])),
      );
    });

  withApiFlags(order.command('show <orderId>').description("An order's progress (received, on rig, flashed, failed, verified, shipped…) and its ASNs")).action(async (orderId: string, opts: ReadOptions) => {
    const r = await apiClient(opts).get<{ order: Order; progress: OrderProgress; asns: AsnSummary[] }>(`/orders/${enc(orderId)}`);
    print(opts.json, r, () => {
      const o = r.order;
      const head = formatTable(['FIELD', 'VALUE'], [
        ['order', `${o.orderId} (${o.status})`],
        ['reference', o.reference],
        ['kind', o.kind],
        ['party', `${o.party.id}${o.party.name ? ` (${o.party.name})` : ''}`],
        ['deliver to', o.deliveryLocation.id],
        ['targets', o.targets.map((t) => `${t.model} → ${t.firmwareVersion ?? t.imageHash}`).join('; ')],
        ['taken', `${o.createdAt} by ${o.createdBy}`],
      ]);
      const progress = formatTable(['STATE', 'HUBS'], Object.entries(r.progress).map(([s, n]) => [s, String(n)]));
      const asns = r.asns.length ? formatTable(['ASN', 'STATUS', 'PURPOSE', 'HUBS', 'ISSUED'], r.asns.map((a) => [a.asnId, a.status, a.purpose, String(a.totals.hubs), a.issuedAt])) : 'No ASN yet.\n';
      return `${head}\n${progress}\n${asns}`;
    });
  });

  withApiFlags(order.command('lines <orderId>').description("The order's hubs with their state, target, rig, ASN and reason"))
    .option('--state <state>', 'only hubs in this state (e.g. failed, ineligible, verified)')
    .action(async (orderId: string, opts: ReadOptions & { state?: string }) => {
      const { items } = await apiClient(opts).get<{ items: OrderLine[] }>(`/orders/${enc(orderId)}/lines`, { state: opts.state });
      print(opts.json, items, () =>
        formatTable(['CHF ID', 'STATE', 'TARGET', 'RIG', 'ASN', 'REASON'], items.map((l) => [l.chfId, l.state, l.target?.version ?? '-', l.rigId ?? '-', l.asnId ?? '-', l.reason ? `${l.reason.code} ${l.reason.message}` : ''])),
      );
    });

  withApiFlags(order.command('receive <orderId>').description("Goods of a return order arrived at the CSP (all, or the pallets/cartons/hubs named)"), false)
    .option('--sscc <sscc...>', 'pallet or carton SSCCs')
    .option('--hub <chfId...>', 'CHF IDs')
    .action(async (orderId: string, opts: ApiOptions & { sscc?: string[]; hub?: string[] }) => {
      const r = await apiClient(opts).post<{ received: number; order: Order }>(`/orders/${enc(orderId)}/receive`, {}, { ...(opts.sscc ? { ssccs: opts.sscc } : {}), ...(opts.hub ? { chfIds: opts.hub } : {}) });
      process.stdout.write(`Order ${orderId}: ${r.received} hubs received at the CSP.\n`);
    });

  withApiFlags(order.command('cancel <orderId>').description('Cancels an order (not while a hub of it is on a live ASN)'), false)
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action(async (orderId: string, opts: ApiOptions & { reason: string }) => {
      await apiClient(opts).post<Order>(`/orders/${enc(orderId)}/cancel`, {}, { reason: opts.reason });
      process.stdout.write(`Order ${orderId} cancelled.\n`);
    });
}
