import type { HanVariant, InstallStateName } from '../../../protocol/mqtt/index.ts';
import type { BatchOp, Store } from '../../storage/Store.ts';
import { readingKey } from '../orders/keys.ts';

/**
 * The latest reading of a hub by a rig (from a job request or a result): what reconciliation
 * compares with the inventory. `otherGpfIds` keeps every other GPF ID ever read with this CHF
 * ID, the mark of two devices sharing one ID.
 */
export interface Reading {
  chfId: string;
  rigId: string;
  at: string;
  source: 'job-request' | 'result';
  resultId?: string;
  gpfId?: string;
  manufacturerCode?: number;
  model?: string;
  hardwareVersion?: number;
  hanVariant?: HanVariant;
  /** What the hub runs after this reading (for a result: the target when verified). */
  firmwareVersion?: string;
  firmwareHash?: string;
  /** What the hub itself reported (it may say installed where the SMI does not). */
  installState?: InstallStateName;
  otherGpfIds?: string[];
}

/** The op storing a reading, keeping the GPF IDs of earlier readings that differ. */
export async function recordReading(store: Store, reading: Reading): Promise<BatchOp> {
  return readingOp(parseReading(await store.get(readingKey(reading.chfId))), reading);
}

export function parseReading(text: string | undefined): Reading | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as Reading);
}

/**
 * As recordReading, given the stored previous reading (or undefined). A result that finished
 * before the result already read (a rig's outbox delivering late) leaves that newer reading in
 * place; only its GPF ID is remembered. Job-request readings carry the server's time and results
 * the rig's, so only results are compared with each other.
 */
export function readingOp(previous: Reading | undefined, reading: Reading): BatchOp {
  const late = previous !== undefined && isLateResult(previous, reading);
  const [kept, other] = late ? [previous, reading] : [reading, previous];
  const others = new Set(previous?.otherGpfIds ?? []);
  if (other?.gpfId !== undefined) others.add(other.gpfId);
  if (kept.gpfId !== undefined) others.delete(kept.gpfId);
  return putReading({ ...kept, ...(others.size > 0 ? { otherGpfIds: [...others].sort() } : {}) });
}

/** `reading` is a result that finished before the result `previous` came from. */
export function isLateResult(previous: Reading, reading: Pick<Reading, 'source' | 'at'>): boolean {
  return previous.source === 'result' && reading.source === 'result' && Date.parse(reading.at) < Date.parse(previous.at);
}

export function putReading(reading: Reading): BatchOp {
  return { type: 'put', key: readingKey(reading.chfId), value: JSON.stringify(reading) };
}
