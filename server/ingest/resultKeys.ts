/**
 * Results in the Store:
 *   r\0{resultId}   → { rigId, receivedAt, result }  written synced before anything else
 *   p\0{resultId}   → ''   stored but not yet applied (removed in the same batch that applies it)
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
