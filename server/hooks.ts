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

/**
 * Writes a hook adds here join the same atomic, durable batch as the result and its inventory
 * change. Reads through `get`/`getMany` see the group's batch as built so far (what earlier
 * results of the group wrote), then the keys every hook declared it `reads` (fetched once per
 * group), then the Store.
 */
export interface ResultTransaction {
  ops: BatchOp[];
  get(key: string): Promise<string | undefined>;
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
}

/**
 * Runs once per new result, inside the inventory's write lock, before the batch is written and
 * before the rig is acknowledged: what a hook writes through `tx` is applied exactly once with
 * the result. A hook that throws fails the whole group (nothing is stored or acknowledged; the
 * rig re-sends). Used by the orders work to move jobs and orders on.
 */
export type ResultAppliedHook = (event: ResultAppliedEvent, tx: ResultTransaction) => void | Promise<void>;

/** The Store keys a hook will read for a result: read for the whole group in one `getMany`. */
export type ResultReads = (result: ResultMessage) => readonly string[];

/** A handler for a rig → server message kind the core does not handle (e.g. `job-request`). */
export type RigMessageHandler = (rigId: string, payload: Buffer) => void | Promise<void>;

export class ServerHooks {
  readonly resultApplied: ResultAppliedHook[] = [];
  readonly resultReads: ResultReads[] = [];
  readonly rigMessages = new Map<string, RigMessageHandler>();

  /** `reads` names the keys the hook reads through `tx` for a result, so a group reads them at once. */
  onResultApplied(hook: ResultAppliedHook, options: { reads?: ResultReads } = {}): void {
    this.resultApplied.push(hook);
    if (options.reads) this.resultReads.push(options.reads);
  }

  onRigMessage(kind: string, handler: RigMessageHandler): void {
    this.rigMessages.set(kind, handler);
  }
}
