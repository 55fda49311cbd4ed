import { resultMessage, type ResultMessage } from '../../protocol/mqtt/index.ts';

/**
 * Results in the Store:
 *   r\0{resultId}   → { rigId, receivedAt, result }  written in the synced batch that applies it;
 *                     `result` is the message exactly as the rig sent it
 *   p\0{resultId}   → ''   stored but not yet applied: written by versions that stored a result
 *                     before applying it; read (and removed) only by recovery on start
 *   rf\0{resultId}  → ErrorSummary  why it was stored but not applied
 */
export const resultKey = (id: string): string => `r\x00${id}`;
export const pendingKey = (id: string): string => `p\x00${id}`;
export const refusalKey = (id: string): string => `rf\x00${id}`;
export const RESULT_PREFIX = 'r\x00';
export const PENDING_PREFIX = 'p\x00';

export interface StoredResult<R = unknown> {
  rigId: string;
  receivedAt: string;
  result: R;
}

/** The stored form, built around the rig's own bytes (already validated) without re-encoding them. */
export function encodeStoredResult(rigId: string, receivedAt: string, rawResult: string): string {
  return `{"rigId":${JSON.stringify(rigId)},"receivedAt":"${receivedAt}","result":${rawResult}}`;
}

/** Which rig a stored result came from. */
export function storedRigId(text: string): string {
  return (JSON.parse(text) as StoredResult).rigId;
}

/** Reads a stored result back, with the result normalised as when it was received. */
export function decodeStoredResult(text: string): StoredResult<ResultMessage> {
  const stored = JSON.parse(text) as StoredResult;
  return { ...stored, result: resultMessage.parse(stored.result) };
}
