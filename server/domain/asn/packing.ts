import type { AsnCarton, AsnHub, AsnPallet } from './model.ts';

export interface PackingRules {
  hubsPerCarton: number;
  cartonsPerPallet: number;
}

/**
 * Packs hubs into cartons and cartons onto pallets: a carton holds one HAN variant and model
 * (cartons are labelled by what they hold), pallets take cartons in order. SSCCs are handed
 * out in order from `nextSscc`, pallet first then its cartons, so the labels read top-down.
 */
export function pack(hubs: readonly AsnHub[], rules: PackingRules, nextSscc: () => string): AsnPallet[] {
  const sorted = [...hubs].sort(
    (a, b) => cmp(a.hanVariant, b.hanVariant) || cmp(a.model, b.model) || cmp(a.chfId, b.chfId),
  );
  const cartons: AsnHub[][] = [];
  let current: AsnHub[] = [];
  for (const hub of sorted) {
    const first = current[0];
    if (current.length === rules.hubsPerCarton || (first && (first.hanVariant !== hub.hanVariant || first.model !== hub.model))) {
      cartons.push(current);
      current = [];
    }
    current.push(hub);
  }
  if (current.length > 0) cartons.push(current);

  const pallets: AsnPallet[] = [];
  for (let i = 0; i < cartons.length; i += rules.cartonsPerPallet) {
    const pallet: AsnPallet = { sscc: nextSscc(), cartons: [] };
    for (const contents of cartons.slice(i, i + rules.cartonsPerPallet)) {
      const carton: AsnCarton = { sscc: nextSscc(), hubs: contents };
      pallet.cartons.push(carton);
    }
    pallets.push(pallet);
  }
  return pallets;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
