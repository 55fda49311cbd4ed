import type { JobRequestMessage } from '../../../protocol/mqtt/index.ts';
import { asnToCsv } from '../asn/csv.ts';
import { findAsnSummary, listAsns, requireAsn } from '../asn/asnStore.ts';
import { issueAsn, replaceAsn } from '../asn/issue.ts';
import type { AsnSummary } from '../asn/model.ts';
import { cancelAsn, confirmDelivery } from '../asn/settle.ts';
import { asnToX12 } from '../asn/x12.ts';
import { listCharges, setTariff, tariffFor, type ChargeQuery } from '../charges/chargeBook.ts';
import { regulatoryYearOf } from '../charges/regulatoryYear.ts';
import { custodyLedger } from '../custody/ledger.ts';
import { answerJobRequest } from '../jobs/jobs.ts';
import { reconcile, type ReconcileOptions } from '../reconciliation/reconcile.ts';
import { listSmiChanges } from '../reports/smiChanges.ts';
import { stockReport } from '../reports/stock.ts';
import type { OrdersContext } from './context.ts';
import { takeOrder } from './intake.ts';
import { cancelOrder, receiveOrder, type ReceiveSelection } from './lifecycle.ts';
import type { Order, OrderLine, OrderProgress } from './model.ts';
import { listOrders, orderLines, orderProgress, requireOrder } from './orderStore.ts';

/**
 * The commercial and logistics side of the server in one place: orders and their progress,
 * jobs for rigs, ASNs and their exports, charges, custody, reconciliation and reports. The API
 * routes and the ingest call this; each method is one operation (written and audited).
 */
export class OrderDesk {
  constructor(readonly ctx: OrdersContext) {}

  take(input: unknown, actor: string) {
    return takeOrder(this.ctx, input, actor);
  }

  receive(orderId: string, selection: ReceiveSelection, actor: string) {
    return receiveOrder(this.ctx, orderId, selection, actor);
  }

  cancelOrder(orderId: string, reason: string, actor: string) {
    return cancelOrder(this.ctx, orderId, reason, actor);
  }

  async order(orderId: string): Promise<{ order: Order; progress: OrderProgress; asns: AsnSummary[] }> {
    const order = await requireOrder(this.ctx.store, orderId);
    const [progress, asns] = await Promise.all([orderProgress(this.ctx.store, orderId), listAsns(this.ctx.store, { orderId })]);
    return { order, progress, asns };
  }

  async lines(orderId: string, filter: { state?: string } = {}): Promise<OrderLine[]> {
    await requireOrder(this.ctx.store, orderId);
    const out: OrderLine[] = [];
    for await (const line of orderLines(this.ctx.store, orderId)) if (filter.state === undefined || line.state === filter.state) out.push(line);
    return out;
  }

  orders(filter: { partyId?: string; status?: string } = {}) {
    return listOrders(this.ctx.store, filter);
  }

  answerJob(request: JobRequestMessage) {
    return answerJobRequest(this.ctx, request);
  }

  issueAsn(orderId: string, actor: string) {
    return issueAsn(this.ctx, orderId, actor);
  }

  replaceAsn(asnId: string, actor: string, options: { remove?: string[]; reason?: string } = {}) {
    return replaceAsn(this.ctx, asnId, actor, options);
  }

  cancelAsn(asnId: string, reason: string, actor: string) {
    return cancelAsn(this.ctx, asnId, reason, actor);
  }

  confirmDelivery(asnId: string, actor: string, options: { at?: string } = {}) {
    return confirmDelivery(this.ctx, asnId, actor, options);
  }

  asn(asnId: string) {
    return requireAsn(this.ctx.store, asnId);
  }

  asnSummary(asnId: string) {
    return findAsnSummary(this.ctx.store, asnId);
  }

  asns(filter: { orderId?: string } = {}) {
    return listAsns(this.ctx.store, filter);
  }

  async asnCsv(asnId: string): Promise<string> {
    return asnToCsv(await this.asn(asnId));
  }

  async asnX12(asnId: string): Promise<string> {
    const asn = await this.asn(asnId);
    return asnToX12(asn, { senderId: this.ctx.config.csp.x12SenderId, receiverId: asn.shipTo.partyId.slice(0, 15) });
  }

  tariff(year?: string) {
    return tariffFor(this.ctx, year ?? regulatoryYearOf(this.ctx.now()).label);
  }

  setTariff(year: string, change: unknown, actor: string) {
    return setTariff(this.ctx, year, change, actor);
  }

  charges(query: ChargeQuery) {
    return listCharges(this.ctx.store, query);
  }

  custody(chfId: string) {
    return custodyLedger(this.ctx.inventory, chfId);
  }

  reconcile(options: ReconcileOptions = {}) {
    return reconcile(this.ctx.store, { now: this.ctx.now, ...options });
  }

  smiChanges(since: string, until?: string) {
    return listSmiChanges(this.ctx.store, since, until);
  }

  async stock() {
    return stockReport(this.ctx.store, await this.ctx.catalogue.list(), { now: this.ctx.now(), warningDays: this.ctx.config.installationEndWarningDays });
  }
}
