import type { ByteFaults } from '../faults/types.ts';
import type { Random } from '../random.ts';

export interface ByteFaultStats {
  flipped: number;
  dropped: number;
  duplicated: number;
}

/**
 * Line noise on one direction of a link: bytes lost, bytes doubled, bits inverted, each at its
 * rate. Draws the distance to the next event (geometric) instead of a number per byte, and keeps
 * that distance across writes, so the rates hold however the stream is chunked.
 */
export class ByteFaultInjector {
  readonly stats: ByteFaultStats = { flipped: 0, dropped: 0, duplicated: 0 };
  private untilDrop: number;
  private untilDup: number;
  private untilFlip: number;

  constructor(
    private readonly faults: ByteFaults,
    private readonly rng: Random,
  ) {
    this.untilDrop = rng.gap(faults.drop ?? 0);
    this.untilDup = rng.gap(faults.duplicate ?? 0);
    this.untilFlip = rng.gap(faults.bitflip ?? 0);
  }

  get active(): boolean {
    return (this.faults.drop ?? 0) > 0 || (this.faults.duplicate ?? 0) > 0 || (this.faults.bitflip ?? 0) > 0;
  }

  /** The bytes as the far end gets them; may change `input` in place. */
  apply(input: Buffer): Buffer {
    if (!this.active) return input;
    const bytes = this.dropAndDuplicate(input);
    this.flipBits(bytes);
    return bytes;
  }

  private dropAndDuplicate(input: Buffer): Buffer {
    if (this.untilDrop >= input.length && this.untilDup >= input.length) {
      this.untilDrop -= input.length;
      this.untilDup -= input.length;
      return input;
    }
    const out: number[] = [];
    for (const b of input) {
      if (this.untilDrop-- === 0) {
        this.untilDrop = this.rng.gap(this.faults.drop ?? 0);
        this.stats.dropped++;
        continue;
      }
      out.push(b);
      if (this.untilDup-- === 0) {
        this.untilDup = this.rng.gap(this.faults.duplicate ?? 0);
        this.stats.duplicated++;
        out.push(b);
      }
    }
    return Buffer.from(out);
  }

  private flipBits(bytes: Buffer): void {
    const bits = bytes.length * 8;
    let at = 0;
    while (this.untilFlip < bits - at) {
      at += this.untilFlip;
      bytes[at >> 3]! ^= 1 << (at & 7);
      this.stats.flipped++;
      at++;
      this.untilFlip = this.rng.gap(this.faults.bitflip ?? 0);
    }
    this.untilFlip -= bits - at;
  }
}
