import type { ErrorSummary, ResultMessage } from '../protocol/mqtt/index.ts';
import type { HistoryEvent } from './domain/inventory/history.ts';
import type { HubRecord } from './domain/inventory/hub.ts';
import type { BatchOp } from './storage/Store.ts';

/** A result the server has just applied (or refused) for the first time. */
export interface ResultAppliedEvent {
  rigId: string;
  result: ResultMessage;
  /** The hub before this result; absent when the result added it to the inventory. */
  before?: HubRecord;
  after: HubRecord;
  /**
   * The hub's new history events. A hook may append to them and change `after` (e.g. its
   * custody): both are written with the result, in the same batch.
   */
  events: HistoryEvent[];
  /** Set when the result was stored but not applied to the hub's firmware. */
  refused?: ErrorSummary;
}

/** Writes a hook adds here join the same atomic, durable batch as the inventory change. */
export interface ResultTransaction {
  ops: BatchOp[];
}

/**
 * Runs once per new result, inside the inventory's write lock, before the batch is written and
 * before the rig is acknowledged: what a hook writes through `tx` is applied exactly once with
 * the result. A hook that throws fails the whole group (nothing is acknowledged; the rig
 * re-sends). Used by the orders work to move jobs and orders on.
 */
export type ResultAppliedHook = (event: ResultAppliedEvent, tx: ResultTransaction) => void | Promise<void>;

/** A handler for a rig → server message kind the core does not handle (e.g. `job-request`). */
export type RigMessageHandler = (rigId: string, payload: Buffer) => void | Promise<void>;

export class ServerHooks {
  readonly resultApplied: ResultAppliedHook[] = [];
  readonly rigMessages = new Map<string, RigMessageHandler>();

  onResultApplied(hook: ResultAppliedHook): void {
    this.resultApplied.push(hook);
  }

  onRigMessage(kind: string, handler: RigMessageHandler): void {
    this.rigMessages.set(kind, handler);
  }
}
