import { performance } from 'node:perf_hooks';
import type { Checkpoint, SessionStore } from './checkpoint.ts';

/**
 * Saves a session's checkpoint without letting saves pile up: at most one save in flight, the
 * next one carrying the latest state, and at most one per `minIntervalMs` during a transfer.
 * `onSaved` runs after each save is durable: that is when progress may be reported.
 */
export class Checkpointer {
  private inFlight: Promise<void> | undefined;
  private again = false;
  private lastSaveAt = -Infinity;
  private failure: unknown;

  constructor(
    private readonly store: SessionStore,
    private readonly snapshot: () => Checkpoint,
    private readonly onSaved: (saved: Checkpoint) => void,
    private readonly onError: (err: unknown) => void,
    private readonly minIntervalMs: number,
  ) {}

  /** Asks for a save soon; never waits. */
  request(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.loop().finally(() => (this.inFlight = undefined));
  }

  /** Saves now (after any save in flight) and waits until it is durable. Throws a store failure. */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
    await this.saveOnce();
  }

  private async loop(): Promise<void> {
    do {
      const waitMs = this.lastSaveAt + this.minIntervalMs - performance.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      this.again = false;
      try {
        await this.saveOnce();
      } catch (err) {
        this.failure = err;
        this.onError(err);
        return;
      }
    } while (this.again);
  }

  private async saveOnce(): Promise<void> {
    const checkpoint = this.snapshot();
    this.lastSaveAt = performance.now();
    await this.store.save(checkpoint);
    this.onSaved(checkpoint);
  }
}
