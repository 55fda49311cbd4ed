import { performance } from 'node:perf_hooks';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { maxWireBytes } from '../../protocol/framing/index.ts';
import { SlotState, writeDataBytes, type WriteAck } from '../../protocol/messages/index.ts';
import { writeProgressTimeoutMs, type Link } from '../link/index.ts';
import { aborted } from './abort.ts';

/** Where the hub stands when the transfer starts (BEGIN's reply, STATUS). */
export interface TransferStart {
  receivedOffset: number;
  committedOffset: number;
  credits: number;
}

/** Kept by the session across reconnects, so re-sent bytes are counted over the whole flash. */
export interface TransferCounters {
  bytesSent: number;
  bytesResent: number;
  /** Highest image offset sent: bytes below it that go out again are re-sent bytes. */
  sentOffset: number;
}

export interface TransferOptions {
  link: Link;
  bytes: Uint8Array;
  start: TransferStart;
  counters: TransferCounters;
  /** The hub's receive buffers in all (CONNECT), which sizes the window and its timeout. */
  maxCredits: number;
  /** STATUS probes without progress before giving up (the session then reconnects). */
  retries: number;
  signal?: AbortSignal;
  /** Told of every forward move of the hub's offsets; cheap and synchronous. */
  onAdvance: (committedOffset: number, receivedOffset: number) => void;
}

/**
 * Pipelined go-back-N transfer into the staged slot (docs/protocol.md §2). Keeps WRITE frames
 * in flight up to the window end the hub grants (receivedOffset + credits × data per frame). On a
 * NAK it goes back to the offset the hub expects; when no WRITE-ACK moves the offsets within the
 * write-progress timeout it asks STATUS and goes back to the hub's receivedOffset. Either way at
 * most one window is re-sent. Resolves once every byte is committed.
 */
export class Transfer {
  private readonly size: number;
  private readonly dataPerFrame: number;
  private readonly timeoutMs: number;
  private received: number;
  private committed: number;
  private windowEnd: number;
  private next: number;
  /** The offset of the last go-back, so a repeated NAK for it does not re-send a window twice. */
  private goBack = -1;
  private lastProgress = performance.now();
  private probes = 0;
  private probing = false;
  private done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TransferOptions) {
    this.size = o.bytes.length;
    this.dataPerFrame = writeDataBytes(o.link.maxFrame);
    this.received = o.start.receivedOffset;
    this.committed = o.start.committedOffset;
    this.next = o.start.receivedOffset;
    this.windowEnd = this.received + o.start.credits * this.dataPerFrame;
    const windowWire = o.maxCredits * maxWireBytes(o.link.maxFrame);
    this.timeoutMs = writeProgressTimeoutMs(o.link.timing, windowWire);
  }

  /** Wire bytes of a full window: what may be queued ahead of a command sent mid-transfer. */
  get windowWireBytes(): number {
    return this.o.maxCredits * maxWireBytes(this.o.link.maxFrame);
  }

  run(): Promise<void> {
    const { link, signal } = this.o;
    return new Promise<void>((resolve, reject) => {
      const onAck = (ack: WriteAck): void => this.onAck(ack);
      const onNak = (expected: number, error: HubflashError): void => this.onNak(expected, error);
      const onFail = (err?: HubflashError): void => this.finish(err ?? closed(link.name));
      const onAbort = (): void => this.finish(aborted(link.name));
      this.finish = (err?: HubflashError): void => {
        if (this.done) return;
        this.done = true;
        clearTimeout(this.timer);
        link.off('write-ack', onAck).off('nak', onNak).off('write-error', onFail).off('write-failed', onFail).off('close', onFail);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      if (signal?.aborted) return this.finish(aborted(link.name));
      link.on('write-ack', onAck).on('nak', onNak).on('write-error', onFail).on('write-failed', onFail).on('close', onFail);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.committed >= this.size) return this.finish();
      this.armTimer(this.timeoutMs);
      this.fill();
    });
  }

  private finish: (err?: HubflashError) => void = () => {};

  /** Ends the transfer from outside, e.g. when the journal can no longer be written. */
  fail(error: HubflashError): void {
    this.finish(error);
  }

  private onAck(ack: WriteAck): void {
    if (ack.receivedOffset < this.received) return this.finish(restarted(this.o.link.name, ack.receivedOffset, this.received));
    const progressed = ack.receivedOffset > this.received || ack.committedOffset > this.committed;
    this.apply(ack.receivedOffset, ack.committedOffset, ack.credits);
    if (progressed) this.progressed();
    if (this.committed >= this.size) return this.finish();
    this.fill();
  }

  private onNak(expected: number, error: HubflashError): void {
    // The hub only loses bytes it had received when it restarts (power cut); and only a hub
    // that restarted (forgetting the agreed frame size) disagrees on the window. Start again
    // at CONNECT, as after any restart.
    if (expected < this.received) return this.finish(restarted(this.o.link.name, expected, this.received));
    if (error.code === ErrorCode.DeviceBusy) return this.finish(error);
    if (expected === this.goBack) return; // the same loss reported again: already going back
    this.goBack = expected;
    this.received = expected;
    this.next = expected;
    this.fill();
  }

  private apply(received: number, committed: number, credits: number): void {
    this.received = received;
    this.committed = committed;
    this.windowEnd = received + credits * this.dataPerFrame;
    if (received > this.goBack) this.goBack = -1;
    // After a go-back the hub may already hold what was in flight: do not send it twice.
    if (this.next < received) this.next = received;
  }

  private progressed(): void {
    this.lastProgress = performance.now();
    this.probes = 0;
    this.o.onAdvance(this.committed, this.received);
  }

  /** Sends every frame the window allows, in one write. */
  private fill(): void {
    if (this.done || this.probing) return;
    const chunks: Array<{ offset: number; data: Uint8Array }> = [];
    const c = this.o.counters;
    while (this.next < this.size) {
      let len = Math.min(this.dataPerFrame, this.size - this.next);
      const room = this.windowEnd - this.next;
      if (room < len) {
        // A short frame only when nothing is in flight, or the window would never open.
        if (room <= 0 || this.next > this.received) break;
        len = room;
      }
      const offset = this.next;
      chunks.push({ offset, data: this.o.bytes.subarray(offset, offset + len) });
      if (offset < c.sentOffset) c.bytesResent += Math.min(offset + len, c.sentOffset) - offset;
      c.bytesSent += len;
      this.next = offset + len;
      if (this.next > c.sentOffset) c.sentOffset = this.next;
    }
    if (chunks.length > 0) this.o.link.sendWrites(chunks);
  }

  private armTimer(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimer(), Math.max(1, ms));
  }

  private onTimer(): void {
    if (this.done) return;
    const idle = performance.now() - this.lastProgress;
    if (idle < this.timeoutMs) return this.armTimer(this.timeoutMs - idle);
    void this.probe();
  }

  /** No progress for a whole timeout: ask the hub where it is and go back there. */
  private async probe(): Promise<void> {
    if (++this.probes > this.o.retries) {
      return this.finish(
        new HubflashError(ErrorCode.LinkTimeout, `${this.o.link.name}: the transfer made no progress for ${this.o.retries + 1} × ${this.timeoutMs} ms`, {
          port: this.o.link.name,
          committedOffset: this.committed,
        }),
      );
    }
    this.probing = true;
    try {
      const status = await this.o.link.request({ kind: 'status' }, { queuedBytes: this.windowWireBytes, retries: 1 });
      if (this.done) return;
      this.probing = false;
      if (status.committedOffset >= this.size && status.slotState !== SlotState.Receiving) return this.finish();
      if (status.slotState !== SlotState.Receiving) {
        return this.finish(
          new HubflashError(ErrorCode.DeviceBadState, `${this.o.link.name}: the hub stopped receiving (slot ${SlotState[status.slotState] ?? status.slotState}); resuming`, {
            port: this.o.link.name,
            slotState: SlotState[status.slotState] ?? status.slotState,
          }),
        );
      }
      if (status.receivedOffset < this.received) return this.finish(restarted(this.o.link.name, status.receivedOffset, this.received));
      const progressed = status.receivedOffset > this.received || status.committedOffset > this.committed;
      this.apply(status.receivedOffset, status.committedOffset, status.credits);
      this.next = status.receivedOffset;
      this.goBack = -1;
      if (progressed) this.progressed();
      else this.lastProgress = performance.now();
      this.armTimer(this.timeoutMs);
      this.fill();
    } catch (err) {
      this.finish(err as HubflashError);
    }
  }
}

function closed(name: string): HubflashError {
  return new HubflashError(ErrorCode.LinkClosed, `${name}: the port closed during the transfer`, { port: name });
}

function restarted(name: string, offset: number, known: number): HubflashError {
  return new HubflashError(ErrorCode.DeviceWrongOffset, `${name}: the hub went back to offset ${offset} from ${known}: it restarted and lost what it had not committed; reconnecting`, {
    port: name,
    expectedOffset: offset,
  });
}
