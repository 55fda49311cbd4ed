import type { Clock, Timer } from '../clock/clock.ts';
import { usbError } from './usbDescriptors.ts';

type PendingIn = { length: number; resolve: (r: USBInTransferResult) => void; reject: (e: unknown) => void; timer?: Timer };
type PendingOut = { until: number; resolve: () => void; reject: (e: unknown) => void };

/**
 * The transfers in progress on a simulated device's bulk endpoints: IN transfers waiting for the
 * hub's bytes (with the `usb` package's timeout), OUT transfers waiting for their last byte to
 * reach the hub, and the bytes the hub sent that no IN transfer has taken yet.
 */
export class BulkTransfers {
  private readonly inbox: Buffer[] = [];
  private readonly ins: PendingIn[] = [];
  private readonly outs = new Set<PendingOut>();

  constructor(private readonly clock: Clock) {}

  /** Bytes from the hub. */
  received(bytes: Buffer): void {
    this.inbox.push(bytes);
    this.serve();
  }

  in(length: number, timeoutMs: number): Promise<USBInTransferResult> {
    return new Promise((resolve, reject) => {
      const p: PendingIn = { length: Math.max(1, length), resolve, reject };
      if (timeoutMs > 0) {
        p.timer = this.clock.at(this.clock.now() + timeoutMs, () => {
          this.ins.splice(this.ins.indexOf(p), 1);
          reject(usbError('transferIn', 'TimeoutError', `timed out after ${timeoutMs} ms with no data from the hub`));
        });
      }
      this.ins.push(p);
      this.serve();
    });
  }

  /** Resolves when the hub has the bytes of an OUT transfer whose last byte arrives at `until`. */
  out(until: number): Promise<void> {
    return new Promise((resolve, reject) => this.outs.add({ until, resolve, reject }));
  }

  /** Bytes just reached the hub: OUT transfers whose last byte is there are done, whatever the hub does next. */
  reachedHub(): void {
    const now = this.clock.now();
    for (const p of this.outs) {
      if (p.until > now) continue;
      this.outs.delete(p);
      p.resolve();
    }
  }

  /** Every transfer in progress fails; unread bytes are dropped. */
  fail(err: DOMException): void {
    this.inbox.length = 0;
    for (const p of this.ins.splice(0)) {
      p.timer?.cancel();
      p.reject(err);
    }
    for (const p of this.outs) p.reject(err);
    this.outs.clear();
  }

  clear(): void {
    this.inbox.length = 0;
  }

  private serve(): void {
    while (this.ins.length > 0 && this.inbox.length > 0) {
      const p = this.ins.shift()!;
      p.timer?.cancel();
      p.resolve({ data: new DataView(takeBytes(this.inbox, p.length).buffer), status: 'ok' });
    }
  }
}

export function toBytes(data: ArrayBuffer | ArrayBufferView): Buffer {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Takes up to n bytes off the front of a queue of chunks, as a fresh ArrayBuffer-backed array. */
function takeBytes(queue: Buffer[], n: number): Uint8Array {
  const out = new Uint8Array(Math.min(n, queue.reduce((s, b) => s + b.length, 0)));
  let at = 0;
  while (at < out.length) {
    const head = queue[0]!;
    const k = Math.min(head.length, out.length - at);
    out.set(head.subarray(0, k), at);
    at += k;
    if (k === head.length) queue.shift();
    else queue[0] = head.subarray(k);
  }
  return out;
}
