import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { FrameDecoder } from '../../../protocol/framing/index.ts';
import {
  decodeMessage,
  encodeMessage,
  MessageType,
  PROTOCOL_VERSION,
  writeDataBytes,
  type Reply,
  type Request,
  type WriteAck,
} from '../../../protocol/messages/index.ts';

type Waiter = { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * A small protocol host for tests: requests matched to replies by sequence number, and a
 * go-back-N image sender that keeps within the device's window. Not the agent: just enough to
 * drive a simulated hub the way docs/protocol.md says a host does.
 */
export class TestHost {
  private seq = 0;
  private readonly waiters = new Map<number, Waiter>();
  private readonly decoder: FrameDecoder;
  /** Every reply received, in order. */
  readonly replies: Reply[] = [];
  private transferListener: ((r: Reply) => void) | undefined;
  maxFrame = 256;
  /** How long request() waits for a reply by default. */
  timeoutMs = 3000;

  constructor(readonly stream: Duplex) {
    this.decoder = new FrameDecoder({
      maxFrame: 8192,
      onFrame: (frame) => {
        const d = decodeMessage(frame);
        if (!d.ok) return;
        const reply = d.message as Reply;
        this.replies.push(reply);
        const isTransfer = reply.kind === 'write-ack' || (reply.kind === 'error' && reply.requestType === MessageType.Write);
        if (isTransfer) this.transferListener?.(reply);
        const w = this.waiters.get(frame.seq);
        if (w && !(reply.kind === 'write-ack')) {
          this.waiters.delete(frame.seq);
          clearTimeout(w.timer);
          w.resolve(reply);
        }
      },
    });
    stream.on('data', (chunk: Buffer) => this.decoder.push(chunk));
  }

  send(message: Request): number {
    const seq = this.seq++ & 0xffff;
    this.stream.write(encodeMessage(message, seq));
    return seq;
  }

  request(message: Request, timeoutMs = this.timeoutMs): Promise<Reply> {
    const seq = this.send(message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(seq);
        reject(new Error(`no reply to ${message.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(seq, { resolve, reject, timer });
    });
  }

  /** Sends until a reply comes (the hub may be rebooting or off). */
  async requestUntilAnswered(message: Request, deadlineMs = 10_000, tryMs = Math.min(200, this.timeoutMs)): Promise<Reply> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await this.request(message, tryMs);
      } catch (err) {
        if (Date.now() > end) throw err;
      }
    }
  }

  async connect(maxFrame = 4107): Promise<Reply> {
    const r = await this.requestUntilAnswered({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame });
    if (r.kind === 'connect-reply') this.maxFrame = r.maxFrame;
    return r;
  }

  /** BEGIN, then go-back-N writes until every byte is committed. Returns the BEGIN reply. */
  async transfer(image: Uint8Array, opts: { imageHash?: string; signature?: Uint8Array; stallMs?: number } = {}): Promise<Reply> {
    const imageHash = opts.imageHash ?? createHash('sha256').update(image).digest('hex');
    const begin = await this.request({
      kind: 'begin',
      imageHash,
      size: image.length,
      version: image.length >= 18 ? Buffer.from(image).readUInt32LE(14) : 0,
      signature: opts.signature ?? image.subarray(image.length - 64),
    });
    if (begin.kind !== 'begin-reply') return begin;
    await this.sendImage(image, begin.resumeOffset, begin.credits, opts.stallMs ?? Math.min(500, this.timeoutMs));
    return begin;
  }

  private sendImage(image: Uint8Array, from: number, credits: number, stallMs: number): Promise<void> {
    const data = writeDataBytes(this.maxFrame);
    let next = from;
    let windowEnd = from + credits * data;
    let committed = from;
    return new Promise((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      const finish = (err?: Error): void => {
        clearTimeout(idle);
        this.transferListener = undefined;
        if (err) reject(err);
        else resolve();
      };
      const progress = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          void this.request({ kind: 'status' }).then(
            (s) => {
              if (s.kind !== 'status-reply') return finish(new Error(`status failed: ${JSON.stringify(s)}`));
              next = s.receivedOffset;
              windowEnd = s.receivedOffset + s.credits * data;
              pump();
              progress();
            },
            (e: Error) => finish(e),
          );
        }, stallMs);
      };
      const pump = (): void => {
        while (next < image.length && next + Math.min(data, image.length - next) <= windowEnd) {
          const end = Math.min(next + data, image.length);
          this.send({ kind: 'write', offset: next, data: image.subarray(next, end) });
          next = end;
        }
      };
      this.transferListener = (r) => {
        if (r.kind === 'write-ack') {
          const ack = r as WriteAck;
          windowEnd = Math.max(windowEnd, ack.receivedOffset + ack.credits * data);
          committed = Math.max(committed, ack.committedOffset);
          if (committed >= image.length) return finish();
        } else if (r.kind === 'error') {
          if (r.code === 7 || r.code === 6) return finish(new Error(`write refused: code ${r.code} ${r.detail}`));
          next = Math.min(next, r.arg);
        }
        progress();
        pump();
      };
      progress();
      pump();
    });
  }

  close(): void {
    for (const w of this.waiters.values()) clearTimeout(w.timer);
    this.waiters.clear();
    this.stream.destroy();
  }
}
