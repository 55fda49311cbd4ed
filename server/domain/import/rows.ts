import { isHubflashError } from '../../../protocol/errors/index.ts';
import { formatFirmwareVersion, isCanonicalDeviceId, parseDeviceId, parseFirmwareHash, parseFirmwareVersion } from '../../../protocol/ids/index.ts';
import type { HubRecord } from '../inventory/hub.ts';
import { CONNECTIVITY, CUSTODY_STATES, HAN_VARIANTS, REGIONS, SMI_STATUSES, type Custody } from '../inventory/values.ts';

/** One SMI snapshot row, validated and normalised: the SMI's view of a hub. */
export type SnapshotRow = Omit<HubRecord, 'custody' | 'updatedAt' | 'firmwareSource'> & { custody?: Custody };

export const REQUIRED_COLUMNS = ['chfId', 'smiStatus', 'region', 'hanVariant'] as const;
export const OPTIONAL_COLUMNS = [
  'gpfId',
  'manufacturer',
  'manufacturerCode',
  'model',
  'hardwareVersion',
  'chtsVersion',
  'gbcsVersion',
  'connectivity',
  'firmwareVersion',
  'firmwareHash',
  'custody',
] as const;
export const KNOWN_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

export type RowInput = Record<string, unknown>;
export type RowCheck = { ok: true; row: SnapshotRow } | { ok: false; reason: string };

class RowError extends Error {}
const fail = (reason: string): never => {
  throw new RowError(reason);
};

/** Upper/lower case and spaces do not matter: `single band` is `SingleBand`. */
function vocabulary<T extends string>(values: readonly T[]): (field: string, v: string) => T {
  const exact = new Set<string>(values);
  const byKey = new Map(values.map((x) => [x.toLowerCase().replace(/[\s_]/g, ''), x]));
  return (field, v) =>
    exact.has(v) ? (v as T) : (byKey.get(v.toLowerCase().replace(/[\s_]/g, '')) ?? fail(`${field} ${JSON.stringify(v)} is not one of ${values.join(', ')}`));
}
const smiStatus = vocabulary(SMI_STATUSES);
const region = vocabulary(REGIONS);
const hanVariant = vocabulary(HAN_VARIANTS);
const connectivity = vocabulary(CONNECTIVITY);
const custody = vocabulary(CUSTODY_STATES);

function text(row: RowInput, field: string): string | undefined {
  const v = row[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return fail(`${field} must be text`);
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function label(field: string, v: string): string {
  if (v.length > 64 || /[\x00-\x1f\x7f]/.test(v)) fail(`${field} must be at most 64 printable characters`);
  return v;
}

/** 16-bit values: hex text (`1111`, `0x1111`) or, from JSON, a number. */
function u16(row: RowInput, field: string): number | undefined {
  const raw = row[field];
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 && raw <= 0xffff ? raw : fail(`${field} ${raw} is not 0-65535`);
  const v = text(row, field);
  if (v === undefined) return undefined;
  const m = /^(?:0[xX])?([0-9A-Fa-f]{1,4})$/.exec(v);
  return m ? Number.parseInt(m[1]!, 16) : fail(`${field} ${JSON.stringify(v)} is not 1-4 hex digits`);
}

function dotted(field: string, v: string): string {
  return /^\d{1,3}(?:\.\d{1,3}){0,3}$/.test(v) ? v : fail(`${field} ${JSON.stringify(v)} is not a version such as 1.1`);
}

function id(field: string, v: string): string {
  if (field !== 'firmwareHash' && field !== 'firmwareVersion' && isCanonicalDeviceId(v)) return v;
  try {
    return field === 'firmwareVersion' ? formatFirmwareVersion(parseFirmwareVersion(v)) : field === 'firmwareHash' ? parseFirmwareHash(v) : parseDeviceId(v);
  } catch (err) {
    return fail(isHubflashError(err) ? `${field}: ${err.message.replace(/ \(HF\d{4}\)$/, '')}` : `${field} is invalid`);
  }
}

/** Checks one row; the reason names the first bad field. Never throws. */
export function checkRow(row: RowInput): RowCheck {
  try {
    const out: Record<string, unknown> = {};
    for (const field of REQUIRED_COLUMNS) if (text(row, field) === undefined) fail(`${field} is missing`);
    const put = (field: string, f: (field: string, v: string) => unknown): void => {
      const v = text(row, field);
      if (v !== undefined) out[field] = f(field, v);
    };
    put('chfId', id);
    put('gpfId', id);
    put('smiStatus', smiStatus);
    put('region', region);
    put('hanVariant', hanVariant);
    put('manufacturer', label);
    put('model', label);
    put('chtsVersion', dotted);
    put('gbcsVersion', dotted);
    put('connectivity', connectivity);
    put('firmwareVersion', id);
    put('firmwareHash', id);
    // A hash names the image of a version: alone, it would be dropped without a word.
    if (out.firmwareHash !== undefined && out.firmwareVersion === undefined) fail('firmwareHash is given without firmwareVersion: give both, or neither');
    put('custody', custody);
    for (const field of ['manufacturerCode', 'hardwareVersion']) {
      const n = u16(row, field);
      if (n !== undefined) out[field] = n;
    }
    return { ok: true, row: out as SnapshotRow };
  } catch (err) {
    if (err instanceof RowError) return { ok: false, reason: err.message };
    return { ok: false, reason: `unreadable row: ${err instanceof Error ? err.message : String(err)}` };
  }
}
