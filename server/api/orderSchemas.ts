import { z } from 'zod';
import { HAN_VARIANTS } from '../../protocol/mqtt/index.ts';
import { SERVICE_LINES } from '../domain/charges/tariff.ts';
import { CUSTODY_STATES } from '../domain/inventory/values.ts';
import { LINE_STATES, ORDER_KINDS } from '../domain/orders/model.ts';
import { EXCEPTION_KINDS } from '../domain/reconciliation/model.ts';

/** Request and response shapes of the orders, ASN, charges, custody and report routes. */

const hex8 = z.string().regex(/^[0-9A-F]{8}$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const eui64 = z.string().regex(/^[0-9A-F]{2}(?:-[0-9A-F]{2}){7}$/);
const sscc = z.string().regex(/^\d{18}$/);
const summaryError = z.object({ code: z.string(), name: z.string(), message: z.string() });

const arrival = z.union([
  z.object({ type: z.literal('unit'), chfId: z.string() }),
  z.object({ type: z.literal('carton'), sscc: z.string(), hubs: z.array(z.string()) }),
  z.object({ type: z.literal('pallet'), sscc: z.string(), cartons: z.array(z.object({ sscc: z.string(), hubs: z.array(z.string()) })) }),
]);

export const order = z
  .object({
    orderId: z.string().meta({ example: 'ORD-000001' }),
    seq: z.int(),
    reference: z.string(),
    kind: z.enum(ORDER_KINDS),
    party: z.object({ id: z.string(), name: z.string().optional() }),
    deliveryLocation: z.object({ id: z.string(), name: z.string().optional(), address: z.string().optional() }),
    targets: z.array(z.object({ model: z.string(), firmwareVersion: hex8.optional(), imageHash: sha256.optional() })),
    arrivals: z.array(arrival),
    status: z.enum(['open', 'fulfilled', 'cancelled']),
    createdAt: z.string(),
    createdBy: z.string(),
    hubs: z.int(),
    receivedAt: z.string().optional(),
    fulfilledAt: z.string().optional(),
    cancelledAt: z.string().optional(),
    cancelledBy: z.string().optional(),
    cancelReason: z.string().optional(),
  })
  .meta({ id: 'Order' });

export const progress = z.object(Object.fromEntries(LINE_STATES.map((s) => [s, z.int()])) as Record<(typeof LINE_STATES)[number], z.ZodInt>).meta({ id: 'OrderProgress' });

export const orderLine = z
  .object({
    chfId: eui64,
    state: z.enum(LINE_STATES),
    reason: summaryError.optional(),
    target: z.object({ version: hex8, hash: sha256 }).optional(),
    jobId: z.string().optional(),
    palletSscc: z.string().optional(),
    cartonSscc: z.string().optional(),
    rigId: z.string().optional(),
    resultId: z.string().optional(),
    resultFinishedAt: z.string().optional().describe('When that result finished, by the rig clock: an older result arriving later moves the line no more'),
    asnId: z.string().optional(),
    updatedAt: z.string(),
  })
  .meta({ id: 'OrderLine' });

export const takeResult = z.object({
  order,
  progress,
  ineligible: z.array(z.object({ chfId: eui64, reason: summaryError })),
  rejected: z.array(z.object({ chfId: z.string(), where: z.string(), error: summaryError })),
});

const asnHub = z.object({ chfId: eui64, gpfId: eui64.optional(), model: z.string(), hanVariant: z.enum(HAN_VARIANTS), firmwareVersion: hex8, firmwareHash: sha256 });

const asnFields = {
  asnId: z.string().meta({ example: 'ASN-00000001' }),
  seq: z.int(),
  purpose: z.enum(['original', 'replace']),
  status: z.enum(['live', 'delivered', 'cancelled', 'superseded']),
  supersedes: z.string().optional(),
  supersededBy: z.string().optional(),
  shipFrom: z.object({ name: z.string(), site: z.string() }),
  shipTo: z.object({ partyId: z.string(), partyName: z.string().optional(), locationId: z.string(), locationName: z.string().optional(), address: z.string().optional() }),
  order: z.object({ orderId: z.string(), reference: z.string(), kind: z.enum(ORDER_KINDS) }),
  totals: z.object({ pallets: z.int(), cartons: z.int(), hubs: z.int() }),
  issuedAt: z.string(),
  issuedBy: z.string(),
  cancelledAt: z.string().optional(),
  cancelledBy: z.string().optional(),
  cancelReason: z.string().optional(),
  deliveredAt: z.string().optional(),
  deliveredBy: z.string().optional(),
};

export const asnSummary = z.object(asnFields).meta({ id: 'AsnSummary' });
export const asn = z
  .object({ ...asnFields, pallets: z.array(z.object({ sscc, cartons: z.array(z.object({ sscc, hubs: z.array(asnHub) })) })) })
  .meta({ id: 'Asn' });

export const skipped = z.array(z.object({ chfId: eui64, reason: z.string() }));

export const chargeLine = z
  .object({
    partyId: z.string(),
    orderId: z.string(),
    orderReference: z.string(),
    asnId: z.string(),
    chfId: eui64,
    hanVariant: z.enum(HAN_VARIANTS),
    serviceLine: z.enum(SERVICE_LINES),
    pence: z.int(),
    regulatoryYear: z.string(),
    at: z.string(),
    date: z.string(),
    tariffSource: z.enum(['default', 'config', 'admin']),
    placeholder: z.boolean(),
  })
  .meta({ id: 'ChargeLine' });

const penceTotals = z.record(z.string(), z.int());
export const chargeReport = z.object({
  lines: z.array(chargeLine),
  totals: z.object({ hubs: z.int(), pence: z.int(), byServiceLine: penceTotals, byRegulatoryYear: penceTotals, byHanVariant: penceTotals }),
  placeholderUsed: z.boolean(),
});

export const tariff = z.object({
  regulatoryYear: z.string().meta({ example: '2026/27' }),
  entries: z.array(z.object({ serviceLine: z.enum(SERVICE_LINES), hanVariant: z.enum(HAN_VARIANTS), pence: z.int(), source: z.enum(['default', 'config', 'admin']), placeholder: z.boolean() })),
});

export const custodyLedger = z.object({
  current: z.enum(CUSTODY_STATES),
  lines: z.array(
    z.object({ at: z.string(), by: z.string(), from: z.enum(CUSTODY_STATES).optional(), to: z.enum(CUSTODY_STATES), event: z.string().optional(), place: z.string().optional(), orderId: z.string().optional(), asnId: z.string().optional(), rigId: z.string().optional() }),
  ),
});

const kinds = Object.keys(EXCEPTION_KINDS) as [keyof typeof EXCEPTION_KINDS, ...Array<keyof typeof EXCEPTION_KINDS>];
export const reconciliationReport = z
  .object({
    at: z.string(),
    hubsChecked: z.int(),
    readingsChecked: z.int(),
    counts: z.record(z.enum(kinds), z.int()),
    items: z.array(z.object({ kind: z.enum(kinds), chfId: eui64, detail: z.string(), action: z.string(), orderId: z.string().optional(), asnId: z.string().optional(), rigId: z.string().optional() })),
    truncated: z.boolean(),
    elapsedMs: z.int(),
  })
  .meta({ id: 'ReconciliationReport' });
export const exceptionKinds = kinds;

export const smiChange = z
  .object({
    chfId: eui64,
    gpfId: eui64.optional(),
    before: z.object({ version: hex8, hash: sha256.optional() }),
    after: z.object({ version: hex8, hash: sha256 }),
    rigId: z.string(),
    at: z.string(),
    resultId: z.string(),
    orderId: z.string().optional(),
  })
  .meta({ id: 'SmiChange' });

const stockGroup = z.object({ hubs: z.int(), pastInstallationEnd: z.int(), withinWarning: z.int() });
export const stockReport = z
  .object({
    at: z.string(),
    today: z.string(),
    warningDays: z.int(),
    total: z.int(),
    pastInstallationEnd: z.int(),
    withinWarning: z.int(),
    endDateUnknown: z.int(),
    rows: z.array(
      z.object({ firmwareVersion: z.string(), region: z.string(), hanVariant: z.string(), holder: z.string(), hubs: z.int(), installationEndDate: z.string().optional(), pastInstallationEnd: z.int(), withinWarning: z.int() }),
    ),
    by: z.record(z.string(), z.record(z.string(), stockGroup)),
  })
  .meta({ id: 'StockReport' });

export const orderParam = z.strictObject({ orderId: z.string().max(40) });
export const asnParam = z.strictObject({ asnId: z.string().max(40) });
export const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });
export const csvFormat = z.enum(['json', 'csv']).default('json').meta({ description: 'csv for a CSV file' });
