import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { Connectivity, Custody, HanVariant, Region, SmiStatus } from './values.ts';

/** One Communications Hub, keyed by its CHF device ID (canonical EUI-64). */
export interface HubRecord {
  chfId: string;
  gpfId?: string;
  manufacturer?: string;
  /** Zigbee manufacturer code, as in the hub's images. */
  manufacturerCode?: number;
  model?: string;
  hardwareVersion?: number;
  hanVariant?: HanVariant;
  chtsVersion?: string;
  gbcsVersion?: string;
  region?: Region;
  connectivity?: Connectivity;
  smiStatus?: SmiStatus;
  /** 8 hex digits (DUIS form). */
  firmwareVersion?: string;
  firmwareHash?: string;
  /** Where the firmware fields came from: the SMI snapshot or a rig's verified result. */
  firmwareSource?: 'smi' | 'rig';
  custody: Custody;
  updatedAt: string;
  /** When the rig finished the result that set the firmware (its `finishedAt`): an older result does not override it. */
  firmwareReportedAt?: string;
}

/**
 * Stored compactly as a positional JSON array (no field names), about half the size of an
 * object. The leading 1 is the encoding version; append fields at the end only.
 */
export const HUB_FIELDS = [
  'gpfId',
  'manufacturer',
  'manufacturerCode',
  'model',
  'hardwareVersion',
  'hanVariant',
  'chtsVersion',
  'gbcsVersion',
  'region',
  'connectivity',
  'smiStatus',
  'firmwareVersion',
  'firmwareHash',
  'firmwareSource',
  'custody',
  'updatedAt',
  'firmwareReportedAt',
] as const satisfies ReadonlyArray<keyof HubRecord>;

export function encodeHub(hub: HubRecord): string {
  const row: unknown[] = [1];
  for (const f of HUB_FIELDS) row.push(hub[f] ?? null);
  return JSON.stringify(row);
}

export function decodeHub(chfId: string, text: string): HubRecord {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    row = undefined;
  }
  if (!Array.isArray(row) || row[0] !== 1) {
    throw new HubflashError(ErrorCode.StorageCorrupt, `The stored record of hub ${chfId} cannot be read`, { chfId });
  }
  const hub: Record<string, unknown> = { chfId };
  HUB_FIELDS.forEach((f, i) => {
    const v = row[i + 1];
    if (v !== null && v !== undefined) hub[f] = v;
  });
  return hub as unknown as HubRecord;
}
