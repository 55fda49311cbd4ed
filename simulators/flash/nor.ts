import { createHash } from 'node:crypto';
import type { Random } from '../random.ts';
import { BLOCK_SIZE, PAGE_SIZE } from './timing.ts';

const ERASED_BLOCK = Buffer.alloc(BLOCK_SIZE, 0xff);

/**
 * One region of NOR flash (an image slot) with NOR semantics: erase sets a 4 KiB block to 0xFF,
 * program can only clear bits (new = old AND data) within one 256 B page. Stored sparsely: a block
 * never written since its last erase takes no memory, so 64 hubs with 4 MiB slots fit easily.
 */
export class NorRegion {
  private readonly blocks = new Map<number, Buffer>();
  /** Blocks changed since the last save, for persistence. */
  readonly dirty = new Set<number>();

  constructor(readonly size: number) {}

  get blockCount(): number {
    return Math.ceil(this.size / BLOCK_SIZE);
  }

  erase(block: number): void {
    this.blocks.delete(block);
    this.dirty.add(block);
  }

  /** Programs bytes inside one page; bits already 0 stay 0, as on real NOR. */
  program(address: number, data: Uint8Array): void {
    const block = this.writable(Math.floor(address / BLOCK_SIZE));
    const at = address % BLOCK_SIZE;
    for (let i = 0; i < data.length; i++) block[at + i]! &= data[i]!;
  }

  read(address: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const a = address + done;
      const index = Math.floor(a / BLOCK_SIZE);
      const at = a % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - at, length - done);
      (this.blocks.get(index) ?? ERASED_BLOCK).copy(out, done, at, at + n);
      done += n;
    }
    return out;
  }

  /** SHA-256 of the first `length` bytes, read block by block. */
  sha256(length: number): string {
    const hash = createHash('sha256');
    for (let a = 0; a < length; a += BLOCK_SIZE) {
      const n = Math.min(BLOCK_SIZE, length - a);
      hash.update((this.blocks.get(a / BLOCK_SIZE) ?? ERASED_BLOCK).subarray(0, n));
    }
    return hash.digest('hex');
  }

  /** An erase cut short: some cells reached 0xFF, the rest are anywhere between old and erased. */
  garbleErase(block: number, rng: Random): void {
    const b = this.writable(block);
    for (let i = 0; i < b.length; i++) b[i] = rng.next() < 0.5 ? 0xff : b[i]! | rng.int(256);
  }

  /** A page program cut short: some bits of the new data reached the cells, some did not. */
  garbleProgram(address: number, data: Uint8Array, rng: Random): void {
    const b = this.writable(Math.floor(address / BLOCK_SIZE));
    const at = address % BLOCK_SIZE;
    const n = Math.min(data.length, PAGE_SIZE);
    for (let i = 0; i < n; i++) b[at + i]! &= data[i]! | rng.int(256);
  }

  /** A block's content for saving; undefined when erased. */
  block(index: number): Buffer | undefined {
    return this.blocks.get(index);
  }

  /** Restores a saved block; an all-0xFF block is stored as erased. */
  restoreBlock(index: number, bytes: Uint8Array): void {
    if (bytes.every((x) => x === 0xff)) this.blocks.delete(index);
    else this.blocks.set(index, Buffer.from(bytes));
  }

  /** Writes an image as a factory programmer would: no timing, no operation count. */
  provision(image: Uint8Array): void {
    for (let a = 0; a < image.length; a += BLOCK_SIZE) {
      const index = a / BLOCK_SIZE;
      const block = Buffer.alloc(BLOCK_SIZE, 0xff);
      block.set(image.subarray(a, Math.min(a + BLOCK_SIZE, image.length)));
      this.blocks.set(index, block);
      this.dirty.add(index);
    }
  }

  private writable(index: number): Buffer {
    let b = this.blocks.get(index);
    if (b === undefined) {
      b = Buffer.alloc(BLOCK_SIZE, 0xff);
      this.blocks.set(index, b);
    }
    this.dirty.add(index);
    return b;
  }
}
