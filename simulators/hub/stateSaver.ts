import type { HubFlash } from '../flash/hubFlash.ts';
import { saveFlash } from '../flash/persist.ts';

/**
 * Saves a hub's flash to its state folder shortly after each durable change (batched, so a burst
 * of block commits costs one save), and at once when asked (power cut, close).
 */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly dir: string | undefined,
    private readonly flash: HubFlash,
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = 200,
  ) {}

  soon(): void {
    if (this.dir === undefined || this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => this.now(), this.delayMs);
    this.timer.unref();
  }

  now(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dir === undefined) return;
    try {
      saveFlash(this.dir, this.flash);
    } catch (err) {
      this.onError(err);
    }
  }

  /** A last save; later changes are not saved. */
  close(): void {
    this.now();
    this.closed = true;
  }
}
