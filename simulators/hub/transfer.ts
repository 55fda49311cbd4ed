import { DeviceErrorCode } from '../../protocol/messages/index.ts';
import { BLOCK_SIZE, PAGE_SIZE } from '../flash/timing.ts';

/** What the flash pipeline must do next for the image being received. */
export type PipelineStep =
  | { kind: 'erase'; block: number }
  | { kind: 'program'; address: number; data: Uint8Array }
  | { kind: 'commit'; committedOffset: number };

export type WriteOutcome =
  | { kind: 'accepted'; newBytes: number }
  | { kind: 'retransmission' }
  | { kind: 'nak'; code: DeviceErrorCode }
  | { kind: 'past-end' };

/**
 * The staged slot's transfer as the device's RAM holds it: the receive buffer, receivedOffset,
 * and how far the flash pipeline has erased, programmed and committed the current block. Lost
 * on a power cut; rebuilt from the committed offset at power-on.
 */
export class StagedTransfer {
  receivedOffset: number;
  committedOffset: number;
  /** Uncommitted image data by block, waiting to be programmed. */
  private readonly ram = new Map<number, Buffer>();
  /** Whether the block at committedOffset has been erased since its last commit. */
  private erased = false;
  /** Image offset up to which the current block is programmed. */
  private programmedTo: number;
  /** The expected offset already NAKed, until the host goes back to it. */
  private nakedAt: number | undefined;

  constructor(
    readonly size: number,
    committedOffset: number,
    /** Bytes of RAM the window may use: credits at the agreed frame × data per frame. */
    public capacityBytes: number,
  ) {
    this.receivedOffset = committedOffset;
    this.committedOffset = committedOffset;
    this.programmedTo = committedOffset;
  }

  get complete(): boolean {
    return this.committedOffset >= this.size;
  }

  get bufferedBytes(): number {
    return this.receivedOffset - this.committedOffset;
  }

  credits(dataBytes: number): number {
    return Math.max(0, Math.floor((this.capacityBytes - this.bufferedBytes) / dataBytes));
  }

  windowEnd(dataBytes: number): number {
    return this.receivedOffset + this.credits(dataBytes) * dataBytes;
  }

  /** Section 2's write rules: accept, trim an overlap, discard a retransmission, or NAK. */
  write(offset: number, data: Uint8Array, dataBytes: number): WriteOutcome {
    const end = offset + data.length;
    if (this.nakedAt !== undefined && offset <= this.nakedAt) this.nakedAt = undefined;
    if (end > this.size) return { kind: 'past-end' };
    if (end <= this.receivedOffset) return { kind: 'retransmission' };
    if (offset > this.receivedOffset) return { kind: 'nak', code: DeviceErrorCode.WrongOffset };
    if (end > this.windowEnd(dataBytes)) return { kind: 'nak', code: DeviceErrorCode.Busy };
    const from = this.receivedOffset;
    this.store(from, data.subarray(from - offset));
    this.receivedOffset = end;
    return { kind: 'accepted', newBytes: end - from };
  }

  /** True if a NAK for the current expected offset may be sent (one per offset until the host goes back). */
  mayNak(): boolean {
    if (this.nakedAt === this.receivedOffset) return false;
    this.nakedAt = this.receivedOffset;
    return true;
  }

  /** The next flash operation the pipeline can start now, if any. */
  next(): PipelineStep | undefined {
    if (this.complete) return undefined;
    const block = Math.floor(this.committedOffset / BLOCK_SIZE);
    const blockEnd = Math.min((block + 1) * BLOCK_SIZE, this.size);
    if (!this.erased) return { kind: 'erase', block };
    if (this.programmedTo < blockEnd) {
      const pageEnd = Math.min(this.programmedTo + PAGE_SIZE, blockEnd);
      if (this.receivedOffset < pageEnd) return undefined;
      const data = this.ram.get(block)!.subarray(this.programmedTo - block * BLOCK_SIZE, pageEnd - block * BLOCK_SIZE);
      return { kind: 'program', address: this.programmedTo, data };
    }
    return { kind: 'commit', committedOffset: blockEnd };
  }

  /** The pipeline step finished on the flash. */
  done(step: PipelineStep): void {
    if (step.kind === 'erase') this.erased = true;
    else if (step.kind === 'program') this.programmedTo = step.address + step.data.length;
    else {
      this.ram.delete(Math.floor(this.committedOffset / BLOCK_SIZE));
      this.committedOffset = step.committedOffset;
      this.erased = false;
    }
  }

  private store(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const index = Math.floor(at / BLOCK_SIZE);
      let block = this.ram.get(index);
      if (block === undefined) {
        block = Buffer.alloc(BLOCK_SIZE, 0xff);
        this.ram.set(index, block);
      }
      const n = Math.min(BLOCK_SIZE - (at % BLOCK_SIZE), data.length - done);
      block.set(data.subarray(done, done + n), at % BLOCK_SIZE);
      done += n;
    }
  }
}
