import type { Logger } from 'pino';
import type { ResultOutbox } from './outbox.ts';
import { delay } from './delay.ts';

/**
 * Holds back a hub's job request while a result that put the hub on its target still waits in
 * the outbox (the server was away, or the agent restarted before it was acknowledged). Asked for
 * a job then, the server, not having seen that result, would send the job again and the hub would
 * be flashed for nothing (found already current: one more result). The wait ends at the
 * acknowledgement, or after `waitMs`, when the job is asked for all the same: the server may never
 * take that result, and a rig must not stop working for it.
 */
export class LandedResultWait {
  /** One check per waiting hub, run at each acknowledgement. */
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly outbox: ResultOutbox,
    private readonly logger: Logger,
    private readonly waitMs: number,
  ) {}

  /** Call when the server acknowledged results (they have left the outbox). */
  acknowledged(): void {
    for (const check of this.waiters) check();
  }

  /** Resolves when no landed result of this hub waits, or after `waitMs`; rejects when `signal` aborts. */
  async until(chfId: string, signal: AbortSignal): Promise<void> {
    if (!this.outbox.holdsLanded(chfId)) return;
    this.logger.info({ chfId }, "waiting for the server to acknowledge this hub's last result before asking for its job");
    const done = new AbortController();
    const check = (): void => {
      if (!this.outbox.holdsLanded(chfId)) done.abort();
    };
    this.waiters.add(check);
    try {
      await delay(this.waitMs, AbortSignal.any([done.signal, signal]));
      this.logger.warn({ chfId }, "the server has not acknowledged this hub's last result; asking for its job all the same");
    } catch (err) {
      if (signal.aborted) throw err;
    } finally {
      this.waiters.delete(check);
    }
  }
}
