import { z } from 'zod';
import { HAN_VARIANTS, type HanVariant } from '../../../protocol/mqtt/index.ts';

/**
 * The explicit-charge tariff: pence (integers, never floats) per Regulatory Year, per service
 * line, per HAN variant. The return charges are the drafted public figures; the re-flash charge
 * has no published value, so its default is a placeholder an admin is expected to replace.
 */
export const SERVICE_LINES = ['reflash', 'returned-redeployed', 'returned-not-redeployed'] as const;
export type ServiceLine = (typeof SERVICE_LINES)[number];

export const SERVICE_LINE_NAMES: Record<ServiceLine, string> = {
  reflash: 'Return for re-flash and re-delivery',
  'returned-redeployed': 'CH returned and redeployed (K7.5(o))',
  'returned-not-redeployed': 'CH returned and not redeployed (K7.5(p))',
};

const pence = z.int().min(0).max(100_000_000);
const byVariant = z.strictObject({ SingleBand: pence, DualBand: pence });
const partialByVariant = z.strictObject({ SingleBand: pence.optional(), DualBand: pence.optional() });

export type PenceByVariant = z.output<typeof byVariant>;
export type TariffTable = Record<ServiceLine, PenceByVariant>;

export const tariffTableSchema = z.strictObject({
  reflash: byVariant,
  'returned-redeployed': byVariant,
  'returned-not-redeployed': byVariant,
});

/** A year's changes: any service line, any variant; the rest comes from the defaults. */
export const tariffOverrideSchema = z.strictObject({
  reflash: partialByVariant.optional(),
  'returned-redeployed': partialByVariant.optional(),
  'returned-not-redeployed': partialByVariant.optional(),
});
export type TariffOverride = z.output<typeof tariffOverrideSchema>;

/** The re-flash default: a placeholder at the returned-and-redeployed figure until one is published. */
export const PLACEHOLDER_REFLASH: PenceByVariant = { SingleBand: 827, DualBand: 827 };

export const BRIEF_TARIFF: TariffTable = {
  reflash: PLACEHOLDER_REFLASH,
  'returned-redeployed': { SingleBand: 827, DualBand: 827 },
  'returned-not-redeployed': { SingleBand: 3087, DualBand: 5875 },
};

/** The `charges` block of the server config. */
export const chargesConfigSchema = z.strictObject({
  /** Every year not listed under `years` uses these. */
  defaults: tariffTableSchema.default(BRIEF_TARIFF),
  /** Per Regulatory Year (`2024/25`), changes to the defaults. */
  years: z.record(z.string().regex(/^\d{4}\/\d{2}$/, 'expected a Regulatory Year such as 2024/25'), tariffOverrideSchema).default({}),
});
export type ChargesConfig = z.output<typeof chargesConfigSchema>;
export const DEFAULT_CHARGES_CONFIG: ChargesConfig = { defaults: BRIEF_TARIFF, years: {} };

export type TariffSource = 'default' | 'config' | 'admin';

export interface TariffEntry {
  serviceLine: ServiceLine;
  hanVariant: HanVariant;
  pence: number;
  source: TariffSource;
  /** True while the re-flash figure is still the built-in placeholder. */
  placeholder: boolean;
}

/** One year's tariff: defaults, then the config's changes for the year, then an admin's. */
export function resolveTariff(config: ChargesConfig, yearLabel: string, adminOverride?: TariffOverride): TariffEntry[] {
  const layers: Array<[TariffSource, TariffOverride | undefined]> = [['config', config.years[yearLabel]], ['admin', adminOverride]];
  const out: TariffEntry[] = [];
  for (const serviceLine of SERVICE_LINES) {
    for (const hanVariant of HAN_VARIANTS) {
      let pence = config.defaults[serviceLine][hanVariant];
      let source: TariffSource = 'default';
      for (const [layer, override] of layers) {
        const value = override?.[serviceLine]?.[hanVariant];
        if (value !== undefined) {
          pence = value;
          source = layer;
        }
      }
      const placeholder = serviceLine === 'reflash' && source === 'default' && pence === PLACEHOLDER_REFLASH[hanVariant];
      out.push({ serviceLine, hanVariant, pence, source, placeholder });
    }
  }
  return out;
}

/** `£8.27` from 827: for display only; sums are done in pence. */
export function formatPence(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  return `${sign}£${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
