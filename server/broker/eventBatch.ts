import type { BrokerEvents } from './Broker.ts';

/**
 * What the broker thread tells the server thread, batched: every event of one turn of the
 * broker's event loop goes in one message, in order. Payload bytes are copied into one
 * ArrayBuffer (transferred, not cloned); the rest is a flat array of strings and numbers.
 */
export interface EventBatch {
  /** Per event: a tag, then its fields (see `read`). */
  meta: Array<string | number>;
  bytes: ArrayBuffer;
}

const MESSAGE = 0;
const CONNECTED = 1;
const DISCONNECTED = 2;
const REFUSED = 3;

/** Collects events in the broker thread; `take` empties it into one batch. */
export class EventBatcher implements BrokerEvents {
  private meta: Array<string | number> = [];
  private payloads: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.meta.length;
  }

  rigMessage(rigId: string, kind: string, payload: Buffer): void {
    this.meta.push(MESSAGE, rigId, kind, payload.length);
    this.payloads.push(payload);
    this.size += payload.length;
  }

  rigConnected(rigId: string): void {
    this.meta.push(CONNECTED, rigId);
  }

  rigDisconnected(rigId: string): void {
    this.meta.push(DISCONNECTED, rigId);
  }

  refused(what: 'connect' | 'publish' | 'subscribe', who: string, reason: string): void {
    this.meta.push(REFUSED, what, who, reason);
  }

  take(): EventBatch {
    // Not from the Buffer pool: the whole ArrayBuffer is handed over to the other thread.
    const bytes = Buffer.allocUnsafeSlow(this.size);
    let at = 0;
    for (const p of this.payloads) at += p.copy(bytes, at);
    const batch = { meta: this.meta, bytes: bytes.buffer };
    this.meta = [];
    this.payloads = [];
    this.size = 0;
    return batch;
  }
}

/** Replays a batch on the server thread, in order; payloads are views of the batch's bytes. */
export function readEventBatch(batch: EventBatch, events: BrokerEvents): void {
  const { meta } = batch;
  const bytes = Buffer.from(batch.bytes);
  let offset = 0;
  for (let i = 0; i < meta.length; ) {
    switch (meta[i]) {
      case MESSAGE: {
        const length = meta[i + 3] as number;
        events.rigMessage(meta[i + 1] as string, meta[i + 2] as string, bytes.subarray(offset, offset + length));
        offset += length;
        i += 4;
        break;
      }
      case CONNECTED:
        events.rigConnected(meta[i + 1] as string);
        i += 2;
        break;
      case DISCONNECTED:
        events.rigDisconnected(meta[i + 1] as string);
        i += 2;
        break;
      case REFUSED:
        events.refused(meta[i + 1] as 'connect' | 'publish' | 'subscribe', meta[i + 2] as string, meta[i + 3] as string);
        i += 4;
        break;
      default:
        throw new Error(`unknown broker event tag ${String(meta[i])}`);
    }
  }
}
