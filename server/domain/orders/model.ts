import { z } from 'zod';
import type { ErrorSummary } from '../../../protocol/mqtt/index.ts';

/**
 * Orders: what a party sends in and what we do with each hub. Two kinds: a CSP's own stock
 * re-flashed before delivery (never charged) and a DCC User's hubs returned for re-flash
 * (charged per hub on delivery).
 */
export const ORDER_KINDS = ['supply-chain-uplift', 'return-for-reflash'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/** The most hubs one order may name (an ASN over 10 000 hubs must fit comfortably). */
export const MAX_HUBS_PER_ORDER = 100_000;

const text = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\x00-\x1f\x7f]*$/, 'no control characters');
const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
/** IDs and SSCCs are read as text here and checked one by one, so one bad label names itself. */
const label = z.string().max(100);

const carton = z.strictObject({ sscc: label, hubs: z.array(label).min(1).max(MAX_HUBS_PER_ORDER) });

export const arrivalSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('unit'), chfId: label }),
  z.strictObject({ type: z.literal('carton'), sscc: label, hubs: z.array(label).min(1).max(MAX_HUBS_PER_ORDER) }),
  z.strictObject({ type: z.literal('pallet'), sscc: label, cartons: z.array(carton).min(1).max(10_000) }),
]);
export type ArrivalInput = z.infer<typeof arrivalSchema>;

export const targetSchema = z
  .strictObject({
    model: text(100),
    /** 8 hex digits or a dotted name such as 1.38.3. */
    firmwareVersion: z.string().max(40).optional(),
    /** The image's SHA-256: needed only when one version has several images. */
    imageHash: z.string().max(80).optional(),
  })
  .refine((t) => t.firmwareVersion !== undefined || t.imageHash !== undefined, { message: 'name the target firmwareVersion or imageHash' });

export const orderInputSchema = z.strictObject({
  /** The party's own reference: one order per party and reference. */
  reference: text(64),
  kind: z.enum(ORDER_KINDS),
  party: z.strictObject({ id: code, name: text(200).optional() }),
  deliveryLocation: z.strictObject({ id: code, name: text(200).optional(), address: text(500).optional() }),
  targets: z.array(targetSchema).min(1).max(1000),
  arrivals: z.array(arrivalSchema).min(1).max(MAX_HUBS_PER_ORDER),
});
export type OrderInput = z.input<typeof orderInputSchema>;
export type ParsedOrderInput = z.output<typeof orderInputSchema>;

export type OrderStatus = 'open' | 'fulfilled' | 'cancelled';

/** A target as resolved against the catalogue when the order was taken. */
export interface OrderTarget {
  model: string;
  firmwareVersion?: string;
  imageHash?: string;
}

export interface Order {
  orderId: string;
  seq: number;
  reference: string;
  kind: OrderKind;
  party: { id: string; name?: string };
  deliveryLocation: { id: string; name?: string; address?: string };
  targets: OrderTarget[];
  /** What arrives: SSCCs validated, hub IDs in canonical form where valid. */
  arrivals: ArrivalInput[];
  status: OrderStatus;
  createdAt: string;
  createdBy: string;
  hubs: number;
  receivedAt?: string;
  fulfilledAt?: string;
  cancelledAt?: string;
  cancelledBy?: string;
  cancelReason?: string;
}

/**
 * A hub's progress on its order: expected (a User's hub on its way), received, on rig, flashed
 * (the rig wrote an image other than the target), failed (with the error), verified (at the
 * target), shipped (on a live ASN), delivered. `ineligible` hubs are listed with the reason.
 */
export const LINE_STATES = ['expected', 'received', 'ineligible', 'on-rig', 'flashed', 'failed', 'verified', 'shipped', 'delivered'] as const;
export type LineState = (typeof LINE_STATES)[number];

export interface OrderLine {
  chfId: string;
  state: LineState;
  /** Why the hub is ineligible or failed. */
  reason?: ErrorSummary;
  target?: { version: string; hash: string };
  jobId?: string;
  palletSscc?: string;
  cartonSscc?: string;
  rigId?: string;
  resultId?: string;
  /** When that result finished, by the rig's clock: an older result arriving later is late. */
  resultFinishedAt?: string;
  asnId?: string;
  updatedAt: string;
}

export type OrderProgress = Record<LineState, number>;

export function emptyProgress(): OrderProgress {
  return Object.fromEntries(LINE_STATES.map((s) => [s, 0])) as OrderProgress;
}

export function formatOrderId(seq: number): string {
  return `ORD-${String(seq).padStart(6, '0')}`;
}

/** A job is one hub's work on one order; its ID names both, so no lookup table is needed. */
export function jobIdOf(orderId: string, chfId: string): string {
  return `${orderId}:${chfId}`;
}

export function parseJobId(jobId: string): { orderId: string; chfId: string } | undefined {
  const m = /^(ORD-\d{6,}):([0-9A-F]{2}(?:-[0-9A-F]{2}){7})$/.exec(jobId);
  return m ? { orderId: m[1]!, chfId: m[2]! } : undefined;
}
