/** Events in a hub's append-only history. Each is its own key; none is ever rewritten. */
export type HistoryEventType =
  | 'import'
  | 'status-change'
  | 'firmware-mismatch'
  | 'flash-attempt'
  | 'result'
  | 'custody-change';

export interface HistoryEvent {
  type: HistoryEventType;
  at: string;
  /** Who or what caused it: `import:<file>`, `rig:<id>`, `token:<id>:<name>`… */
  by: string;
  details?: Record<string, unknown>;
}

export interface StoredHistoryEvent extends HistoryEvent {
  seq: string;
}

/**
 * History keys sort by a 16-digit logical clock: milliseconds × 1000 plus a counter, never
 * going backwards within a process, so events of one hub list in the order they happened.
 */
export class Sequencer {
  private last = 0;

  next(now = Date.now()): string {
    this.last = Math.max(now * 1000, this.last + 1);
    return String(this.last).padStart(16, '0');
  }
}
