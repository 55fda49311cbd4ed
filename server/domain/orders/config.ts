import { z } from 'zod';
import { chargesConfigSchema, DEFAULT_CHARGES_CONFIG } from '../charges/tariff.ts';

/**
 * The `orders` block of the server config: who we are on ASNs, how hubs are packed, the
 * charges tariff and the stock report's warning window. Every field has a default.
 */
const cspSchema = z.strictObject({
  /** Ship-from name on ASNs (X12 N1*SF). */
  name: z.string().min(1).max(60).default('CSP'),
  /** The warehouse where the rigs are: the place hubs are at when at the CSP. */
  site: z.string().min(1).max(60).default('Warehouse'),
  /** X12 interchange sender ID (ISA06, GS02), at most 15 characters. */
  x12SenderId: z.string().regex(/^[A-Za-z0-9 ]{1,15}$/).default('HUBFLASHCSP'),
});

const asnSchema = z.strictObject({
  hubsPerCarton: z.int().min(1).max(1000).default(10),
  cartonsPerPallet: z.int().min(1).max(1000).default(50),
  /** The SSCC extension digit (the first digit), 0-9. */
  ssccExtensionDigit: z.int().min(0).max(9).default(0),
});

export const ordersConfigSchema = z.strictObject({
  csp: cspSchema.default(cspSchema.parse({})),
  asn: asnSchema.default(asnSchema.parse({})),
  charges: chargesConfigSchema.default(DEFAULT_CHARGES_CONFIG),
  /** Base URL rigs fetch images from (e.g. `https://hubflash.example:8080`); without it, job answers give the path. */
  imageBaseUrl: z.url().optional(),
  /** The stock report flags hubs whose firmware's installation end date is within this many days. */
  installationEndWarningDays: z.int().min(1).max(3650).default(90),
});
export type OrdersConfig = z.output<typeof ordersConfigSchema>;
export type OrdersConfigInput = z.input<typeof ordersConfigSchema>;

export const DEFAULT_ORDERS_CONFIG: OrdersConfig = ordersConfigSchema.parse({});
