/**
 * Waits for replies, in the manner of zigbee-herdsman's waitress: each waiter has a matcher and
 * a deadline; an incoming reply resolves the first waiter whose matcher accepts it. A reply that
 * nobody waits for (a late or duplicated one) is simply not claimed.
 */
export class Waitress<TPayload, TMatcher> {
  private readonly waiters = new Map<number, Waiter<TPayload, TMatcher>>();
  private nextId = 1;

  constructor(
    private readonly matches: (payload: TPayload, matcher: TMatcher) => boolean,
    private readonly onTimeout: (matcher: TMatcher, timeoutMs: number) => Error,
  ) {}

  /**
   * A promise for the first matching payload, rejected after timeoutMs. A caller waits before it
   * sends (the reply may beat the send's callback) and awaits after, so the deadline can pass
   * before anyone awaits: that must not be an unhandled rejection, which would end the process.
   */
  waitFor(matcher: TMatcher, timeoutMs: number): { id: number; promise: Promise<TPayload> } {
    const id = this.nextId++;
    const promise = new Promise<TPayload>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(this.onTimeout(matcher, timeoutMs));
      }, timeoutMs);
      this.waiters.set(id, { matcher, resolve, reject, timer });
    });
    promise.catch(() => undefined);
    return { id, promise };
  }

  /** Hands a payload to the first waiter that matches it; false when none did. */
  resolve(payload: TPayload): boolean {
    for (const [id, w] of this.waiters) {
      if (!this.matches(payload, w.matcher)) continue;
      this.settle(id, w);
      w.resolve(payload);
      return true;
    }
    return false;
  }

  /** Rejects every waiter, e.g. when the link closes. */
  rejectAll(error: Error): void {
    for (const [id, w] of this.waiters) {
      this.settle(id, w);
      w.reject(error);
    }
  }

  remove(id: number): void {
    const w = this.waiters.get(id);
    if (w) this.settle(id, w);
  }

  get size(): number {
    return this.waiters.size;
  }

  private settle(id: number, w: Waiter<TPayload, TMatcher>): void {
    clearTimeout(w.timer);
    this.waiters.delete(id);
  }
}

interface Waiter<TPayload, TMatcher> {
  matcher: TMatcher;
  resolve: (payload: TPayload) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}
