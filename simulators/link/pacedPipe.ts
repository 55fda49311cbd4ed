import type { Clock, Timer } from '../clock/clock.ts';
import type { ByteFaults } from '../faults/types.ts';
import type { Random } from '../random.ts';
import { ByteFaultInjector, type ByteFaultStats } from './byteFaults.ts';

export interface PipeOptions {
  clock: Clock;
  /** Line rate; Infinity delivers after the latency alone. */
  bytesPerSec: number;
  latencyMs: number;
  faults?: ByteFaults;
  rng: Random;
  deliver: (bytes: Buffer) => void;
}

interface Piece {
  bytes: Buffer;
  /** When its last byte reaches the far end. */
  readyAt: number;
}

/** The largest piece delivered at once when no frame delimiter cuts the stream sooner. */
const MAX_PIECE = 4096;

/**
 * One direction of a serial or USB link. Bytes leave the sender at the line rate (the wire is
 * busy until the last one is out) and reach the far end one latency later. Rather than a timer
 * per byte, writes are cut into pieces at frame ends (0x00 after data) and each piece is
 * delivered when its last byte would have arrived; one timer waits for the earliest piece.
 */
export class PacedPipe {
  private readonly pieces: Piece[] = [];
  private head = 0;
  private txFreeAt = -Infinity;
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private closed = false;
  private readonly noise: ByteFaultInjector;
  bytesWritten = 0;
  bytesDelivered = 0;

  constructor(private readonly opts: PipeOptions) {
    this.noise = new ByteFaultInjector(opts.faults ?? {}, opts.rng);
  }

  get faultStats(): ByteFaultStats {
    return this.noise.stats;
  }

  /** When the wire is free again (the last queued byte has left the sender). */
  get busyUntil(): number {
    return this.txFreeAt;
  }

  /** When the last queued byte reaches the far end (now, if nothing is queued). */
  get drainedAt(): number {
    return this.pieces[this.pieces.length - 1]?.readyAt ?? this.opts.clock.now();
  }

  write(input: Uint8Array): void {
    if (this.closed || input.length === 0) return;
    this.bytesWritten += input.length;
    // A copy: the writer may reuse its buffer before these bytes are delivered.
    const bytes = this.noise.apply(Buffer.from(input));
    const msPerByte = this.opts.bytesPerSec === Infinity ? 0 : 1000 / this.opts.bytesPerSec;
    let t = Math.max(this.opts.clock.now(), this.txFreeAt);
    for (const piece of cut(bytes)) {
      t += piece.length * msPerByte;
      this.pieces.push({ bytes: piece, readyAt: t + this.opts.latencyMs });
    }
    this.txFreeAt = t;
    this.arm();
  }

  /** The line goes quiet for `ms`: everything in flight, and whatever follows, arrives that much later. */
  stall(ms: number): void {
    if (this.closed) return;
    for (let i = this.head; i < this.pieces.length; i++) this.pieces[i]!.readyAt += ms;
    this.txFreeAt = Math.max(this.txFreeAt, this.opts.clock.now()) + ms;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.arm();
  }

  /** Drops everything in flight; later writes are ignored. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.pieces.length = 0;
    this.head = 0;
  }

  private arm(): void {
    const next = this.pieces[this.head];
    if (next === undefined || this.closed || this.timerAt <= next.readyAt) return;
    this.timer?.cancel();
    this.timerAt = next.readyAt;
    this.timer = this.opts.clock.at(next.readyAt, () => this.flush());
  }

  private flush(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.opts.clock.now();
    const due: Buffer[] = [];
    while (this.head < this.pieces.length && this.pieces[this.head]!.readyAt <= now) due.push(this.pieces[this.head++]!.bytes);
    if (this.head === this.pieces.length) {
      this.pieces.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.pieces.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
    if (due.length === 0) return;
    const bytes = due.length === 1 ? due[0]! : Buffer.concat(due);
    this.bytesDelivered += bytes.length;
    this.opts.deliver(bytes);
  }
}

/** Splits after each frame end (a 0x00 that follows data), and into pieces of at most MAX_PIECE. */
function cut(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let from = 0;
  while (start < bytes.length) {
    let at = bytes.indexOf(0, from);
    while (at !== -1 && (at === start || bytes[at - 1] === 0)) at = bytes.indexOf(0, at + 1);
    let end = at === -1 ? bytes.length : at + 1;
    end = Math.min(end, start + MAX_PIECE);
    out.push(bytes.subarray(start, end));
    start = end;
    from = end;
  }
  return out;
}
