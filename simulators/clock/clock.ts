import { performance } from 'node:perf_hooks';
import { TimerQueue, type Timer } from './timerQueue.ts';

export type { Timer } from './timerQueue.ts';

/**
 * Simulated time in milliseconds. Hubs and links schedule by computed deadline on a clock rather
 * than with a host timer per byte or per flash page: one host timer serves every deadline due,
 * and while a deadline runs `now()` reads that deadline, so a late host timer never makes the
 * simulated flash or link slower than its nominal rate.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once the clock reaches `time` (at once, asynchronously, if it already has). */
  at(time: number, fn: () => void): Timer;
}

export function after(clock: Clock, ms: number, fn: () => void): Timer {
  return clock.at(clock.now() + ms, fn);
}

/** Work done in one host turn before yielding to I/O, so a zero-delay loop cannot starve it. */
const MAX_PER_TURN = 20_000;

/** Wall-clock time, optionally sped up (`scale` simulated ms per real ms). */
export class RealClock implements Clock {
  private readonly queue = new TimerQueue();
  private readonly origin = performance.now();
  private current: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private immediate: NodeJS.Immediate | undefined;

  constructor(readonly scale = 1) {}

  now(): number {
    return this.current ?? (performance.now() - this.origin) * this.scale;
  }

  at(time: number, fn: () => void): Timer {
    // Never behind now: simulated time only moves forward, whoever reads it.
    const timer = this.queue.push(Math.max(time, this.now()), fn);
    this.arm();
    return {
      cancel: () => {
        timer.cancel();
        // Nothing left to wait for: let the process exit rather than idle until a dead deadline.
        if (this.queue.peekTime() === undefined && this.timer !== undefined) {
          clearTimeout(this.timer);
          this.timer = undefined;
          this.timerAt = Infinity;
        }
      },
    };
  }

  private arm(): void {
    const next = this.queue.peekTime();
    if (next === undefined || this.current !== undefined) return;
    const wait = (next - this.now()) / this.scale;
    if (wait <= 0) {
      this.immediate ??= setImmediate(() => this.run());
      return;
    }
    if (this.timer !== undefined && this.timerAt <= next) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.run(), Math.max(1, Math.floor(wait)));
  }

  private run(): void {
    this.immediate = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const realNow = this.now();
    let n = 0;
    try {
      for (let e = this.queue.popDue(realNow); e !== undefined; e = this.queue.popDue(realNow)) {
        this.current = e.time;
        e.fn();
        if (++n >= MAX_PER_TURN) break;
      }
    } finally {
      this.current = undefined;
      this.arm();
    }
  }
}

/** A clock that moves only when told: for tests that account time exactly. */
export class ManualClock implements Clock {
  private readonly queue = new TimerQueue();
  private time = 0;

  now(): number {
    return this.time;
  }

  at(time: number, fn: () => void): Timer {
    return this.queue.push(Math.max(time, this.time), fn);
  }

  /** Moves time forward by `ms`, running every deadline on the way at its own time. */
  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  advanceTo(target: number): void {
    for (let e = this.queue.popDue(target); e !== undefined; e = this.queue.popDue(target)) {
      this.time = e.time;
      e.fn();
    }
    this.time = Math.max(this.time, target);
  }

  /** Runs deadlines until none is left (bounded, so a self-rescheduling loop cannot hang a test). */
  runAll(maxEvents = 1_000_000): void {
    for (let i = 0; i < maxEvents; i++) {
      const next = this.queue.peekTime();
      if (next === undefined) return;
      this.advanceTo(next);
    }
  }
}

/** The clock every hub and link uses unless given another: one host timer for the whole process. */
export const realClock: Clock = new RealClock();
