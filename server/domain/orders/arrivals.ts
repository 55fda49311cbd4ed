import { ErrorCode, HubflashError, isHubflashError } from '../../../protocol/errors/index.ts';
import type { ErrorSummary } from '../../../protocol/mqtt/index.ts';
import { parseDeviceId, validateSscc } from '../../../protocol/ids/index.ts';
import type { ArrivalInput } from './model.ts';
import { summarise, summary } from './summary.ts';

/** One hub of an order, with the pallet and carton it came in. */
export interface ArrivalHub {
  chfId: string;
  palletSscc?: string;
  cartonSscc?: string;
}

/** A hub the order names that is not taken on it, and why. */
export interface Rejection {
  /** As written in the order (canonical when it was a valid ID). */
  chfId: string;
  /** Where in the order it was named, e.g. `arrivals[2].cartons[0].hubs[5]`. */
  where: string;
  error: ErrorSummary;
}

export interface FlatArrivals {
  hubs: ArrivalHub[];
  /** Every SSCC the order names, with where. */
  ssccs: Array<{ sscc: string; where: string }>;
  rejected: Rejection[];
  /** The arrivals with hub IDs in canonical form where they were valid. */
  normalised: ArrivalInput[];
}

/**
 * Flattens what arrives into hubs, checking every SSCC (all problems reported at once, with the
 * expected check digit) and every hub ID. A bad SSCC refuses the order (its label is wrong, so
 * nothing on it can be trusted); a bad or repeated hub ID only rejects that hub.
 */
export function flattenArrivals(arrivals: readonly ArrivalInput[]): FlatArrivals {
  const out: FlatArrivals = { hubs: [], ssccs: [], rejected: [], normalised: [] };
  const problems: string[] = [];
  const seenHubs = new Map<string, string>();
  const sscc = (value: string, where: string): string => {
    try {
      validateSscc(value);
    } catch (err) {
      if (!isHubflashError(err)) throw err;
      problems.push(`${where}: ${err.message.replace(/ \(HF\d{4}\)$/, '')}`);
    }
    out.ssccs.push({ sscc: value, where });
    return value;
  };
  const hub = (raw: string, where: string, palletSscc?: string, cartonSscc?: string): string => {
    let chfId: string;
    try {
      chfId = parseDeviceId(raw);
    } catch (err) {
      if (!isHubflashError(err)) throw err;
      out.rejected.push({ chfId: raw, where, error: summarise(err) });
      return raw;
    }
    const first = seenHubs.get(chfId);
    if (first !== undefined) {
      out.rejected.push({ chfId, where, error: summary(ErrorCode.HubDuplicateInOrder, `Hub ${chfId} is named twice in this order (${first} and ${where}); it is taken once`, { chfId }) });
      return chfId;
    }
    seenHubs.set(chfId, where);
    out.hubs.push({ chfId, ...(palletSscc !== undefined ? { palletSscc } : {}), ...(cartonSscc !== undefined ? { cartonSscc } : {}) });
    return chfId;
  };
  arrivals.forEach((a, i) => {
    const at = `arrivals[${i}]`;
    if (a.type === 'unit') {
      out.normalised.push({ type: 'unit', chfId: hub(a.chfId, `${at}.chfId`) });
    } else if (a.type === 'carton') {
      const c = sscc(a.sscc, `${at}.sscc`);
      out.normalised.push({ type: 'carton', sscc: c, hubs: a.hubs.map((h, j) => hub(h, `${at}.hubs[${j}]`, undefined, c)) });
    } else {
      const p = sscc(a.sscc, `${at}.sscc`);
      const cartons = a.cartons.map((carton, j) => {
        const c = sscc(carton.sscc, `${at}.cartons[${j}].sscc`);
        return { sscc: c, hubs: carton.hubs.map((h, k) => hub(h, `${at}.cartons[${j}].hubs[${k}]`, p, c)) };
      });
      out.normalised.push({ type: 'pallet', sscc: p, cartons });
    }
  });
  if (problems.length > 0) {
    throw new HubflashError(
      ErrorCode.OrderSsccInvalid,
      `The order has ${problems.length} invalid SSCC${problems.length > 1 ? 's' : ''}; correct the labels and send it again (nothing was taken): ${problems.slice(0, 10).join('; ')}`,
      { problems },
    );
  }
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const { sscc: s, where } of out.ssccs) {
    const first = seen.get(s);
    if (first !== undefined) duplicates.push(`${s} at ${first} and ${where}`);
    else seen.set(s, where);
  }
  if (duplicates.length > 0) {
    throw new HubflashError(
      ErrorCode.SsccDuplicate,
      `The order uses an SSCC twice: ${duplicates.slice(0, 10).join('; ')}. Every pallet and carton needs its own SSCC; nothing was taken`,
      { duplicates },
    );
  }
  return out;
}
