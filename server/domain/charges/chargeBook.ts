import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { HanVariant } from '../../../protocol/mqtt/index.ts';
import type { BatchOp, Store } from '../../storage/Store.ts';
import type { OrdersContext } from '../orders/context.ts';
import { CHARGE_PREFIX, chargeKey, chargeMarkerKey, chargePartyPrefix, tariffKey } from '../orders/keys.ts';
import { prefixRange } from '../../storage/Store.ts';
import { londonDate, parseRegulatoryYear, regulatoryYearOf } from './regulatoryYear.ts';
import { resolveTariff, tariffOverrideSchema, type ServiceLine, type TariffEntry, type TariffOverride } from './tariff.ts';

/** One explicit charge: a hub of a return-for-re-flash order, fulfilled (delivered back). */
export interface ChargeLine {
  partyId: string;
  orderId: string;
  orderReference: string;
  asnId: string;
  chfId: string;
  hanVariant: HanVariant;
  serviceLine: ServiceLine;
  pence: number;
  regulatoryYear: string;
  /** When it was fulfilled (UTC) and that day in the UK. */
  at: string;
  date: string;
  tariffSource: TariffEntry['source'];
  placeholder: boolean;
}

export async function adminTariff(store: Store, yearLabel: string): Promise<TariffOverride | undefined> {
  const text = await store.get(tariffKey(yearLabel));
  return text === undefined ? undefined : (JSON.parse(text) as TariffOverride);
}

/** A Regulatory Year's tariff: defaults, the config's changes, an admin's changes. */
export async function tariffFor(ctx: OrdersContext, year: string): Promise<{ regulatoryYear: string; entries: TariffEntry[] }> {
  const { label } = parseRegulatoryYear(year);
  return { regulatoryYear: label, entries: resolveTariff(ctx.config.charges, label, await adminTariff(ctx.store, label)) };
}

/** An admin changes a year's tariff (pence per service line and HAN variant); other figures stay. */
export async function setTariff(ctx: OrdersContext, year: string, change: unknown, actor: string): Promise<{ regulatoryYear: string; entries: TariffEntry[] }> {
  const { label } = parseRegulatoryYear(year);
  const parsed = tariffOverrideSchema.safeParse(change);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(tariff)'}: ${i.message}`);
    throw new HubflashError(ErrorCode.TariffInvalid, `Invalid tariff for ${label}: ${issues.join('; ')}. Give pence as whole numbers per service line and HAN variant`, { issues });
  }
  await ctx.inventory.lock.run(async () => {
    const merged: TariffOverride = { ...(await adminTariff(ctx.store, label)) };
    for (const [line, byVariant] of Object.entries(parsed.data) as Array<[ServiceLine, Record<string, number | undefined>]>) {
      merged[line] = { ...merged[line], ...Object.fromEntries(Object.entries(byVariant).filter(([, v]) => v !== undefined)) };
    }
    await ctx.store.batch([{ type: 'put', key: tariffKey(label), value: JSON.stringify(merged) }], { sync: true });
  });
  await ctx.audit.append([{ actor, action: 'tariff.set', subject: label, details: { change: parsed.data } }]);
  return tariffFor(ctx, label);
}

/**
 * The charge lines of fulfilled hubs, and the ops that store them once: a hub already charged
 * on this order writes nothing again (a hub returned again comes on a new order, and pays again).
 */
export async function chargeOps(
  ctx: OrdersContext,
  hubs: ReadonlyArray<{ chfId: string; hanVariant: HanVariant }>,
  order: { orderId: string; reference: string; partyId: string },
  asnId: string,
  at: string,
  serviceLine: ServiceLine = 'reflash',
): Promise<{ lines: ChargeLine[]; ops: BatchOp[] }> {
  const markers = await ctx.store.getMany(hubs.map((h) => chargeMarkerKey(order.orderId, h.chfId)));
  const year = regulatoryYearOf(at);
  const tariff = resolveTariff(ctx.config.charges, year.label, await adminTariff(ctx.store, year.label));
  const [y, m, d] = londonDate(new Date(at));
  const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const lines: ChargeLine[] = [];
  const ops: BatchOp[] = [];
  hubs.forEach((hub, i) => {
    if (markers[i] !== undefined) return;
    const entry = tariff.find((e) => e.serviceLine === serviceLine && e.hanVariant === hub.hanVariant)!;
    const line: ChargeLine = {
      partyId: order.partyId,
      orderId: order.orderId,
      orderReference: order.reference,
      asnId,
      chfId: hub.chfId,
      hanVariant: hub.hanVariant,
      serviceLine,
      pence: entry.pence,
      regulatoryYear: year.label,
      at,
      date,
      tariffSource: entry.source,
      placeholder: entry.placeholder,
    };
    const key = chargeKey(order.partyId, at, order.orderId, hub.chfId);
    lines.push(line);
    ops.push({ type: 'put', key, value: JSON.stringify(line) }, { type: 'put', key: chargeMarkerKey(order.orderId, hub.chfId), value: key });
  });
  return { lines, ops };
}

export interface ChargeQuery {
  partyId?: string;
  /** `YYYY-MM-DD` (a UK date, inclusive) or an ISO timestamp. */
  from?: string;
  /** `YYYY-MM-DD` (inclusive) or an ISO timestamp (exclusive). */
  to?: string;
}

export interface ChargeReport {
  lines: ChargeLine[];
  totals: { hubs: number; pence: number; byServiceLine: Record<string, number>; byRegulatoryYear: Record<string, number>; byHanVariant: Record<string, number> };
  /** True when a line was priced with the placeholder re-flash figure. */
  placeholderUsed: boolean;
}

export async function listCharges(store: Store, query: ChargeQuery): Promise<ChargeReport> {
  const inRange = rangeFilter(query);
  const it = store.iterator(prefixRange(query.partyId !== undefined ? chargePartyPrefix(query.partyId) : CHARGE_PREFIX));
  const lines: ChargeLine[] = [];
  try {
    for (;;) {
      const chunk = await it.nextv(2000);
      if (chunk.length === 0) break;
      for (const [, v] of chunk) {
        const line = JSON.parse(v) as ChargeLine;
        if (inRange(line)) lines.push(line);
      }
    }
  } finally {
    await it.close();
  }
  const totals: ChargeReport['totals'] = { hubs: lines.length, pence: 0, byServiceLine: {}, byRegulatoryYear: {}, byHanVariant: {} };
  for (const l of lines) {
    totals.pence += l.pence;
    totals.byServiceLine[l.serviceLine] = (totals.byServiceLine[l.serviceLine] ?? 0) + l.pence;
    totals.byRegulatoryYear[l.regulatoryYear] = (totals.byRegulatoryYear[l.regulatoryYear] ?? 0) + l.pence;
    totals.byHanVariant[l.hanVariant] = (totals.byHanVariant[l.hanVariant] ?? 0) + l.pence;
  }
  return { lines, totals, placeholderUsed: lines.some((l) => l.placeholder) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function rangeFilter(q: ChargeQuery): (l: ChargeLine) => boolean {
  const bound = (value: string | undefined, name: string): { date?: string; instant?: number } => {
    if (value === undefined) return {};
    if (DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return { date: value };
    const t = Date.parse(value);
    if (Number.isNaN(t)) throw new HubflashError(ErrorCode.ReportRangeInvalid, `--${name} ${JSON.stringify(value)} is not a date: give YYYY-MM-DD or an ISO 8601 time`, { [name]: value });
    return { instant: t };
  };
  const from = bound(q.from, 'from');
  const to = bound(q.to, 'to');
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new HubflashError(ErrorCode.ReportRangeInvalid, `--from ${q.from} is after --to ${q.to}`, { from: q.from, to: q.to });
  }
  return (l) => {
    const t = Date.parse(l.at);
    if (from.date !== undefined && l.date < from.date) return false;
    if (from.instant !== undefined && t < from.instant) return false;
    if (to.date !== undefined && l.date > to.date) return false;
    if (to.instant !== undefined && t >= to.instant) return false;
    return true;
  };
}
