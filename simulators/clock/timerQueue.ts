/** A min-heap of deadlines: what every simulated hub and link schedules on, instead of a host timer each. */

export interface Timer {
  cancel(): void;
}

interface Entry {
  time: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest live deadline, or undefined when nothing is scheduled. */
  peekTime(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.time;
  }

  push(time: number, fn: () => void): Timer {
    const entry: Entry = { time, seq: this.seq++, fn, cancelled: false };
    this.heap.push(entry);
    this.up(this.heap.length - 1);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Removes and returns the earliest live entry due at or before `now`. */
  popDue(now: number): { time: number; fn: () => void } | undefined {
    this.dropCancelled();
    const top = this.heap[0];
    if (top === undefined || top.time > now) return undefined;
    this.removeTop();
    return top;
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.removeTop();
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private less(a: Entry, b: Entry): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
