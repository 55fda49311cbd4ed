import { EventEmitter } from 'node:events';
import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { FrameDecoder, totalDropped, type Frame } from '../../protocol/framing/index.ts';
import {
  DEFAULT_MAX_FRAME,
  DeviceErrorCode,
  MessageType,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeMessage,
  errorFromReply,
  isReplyType,
  messageType,
  type ErrorReply,
  type Reply,
  type WriteAck,
} from '../../protocol/messages/index.ts';
import type { Transport } from '../transport/index.ts';
import { REPLY_FRAME_BYTES, type CommandRequest, type ReplyFrame, type ReplyOf } from './replies.ts';
import { commandTimeoutMs, type LinkTiming } from './timing.ts';
import { Waitress } from './waitress.ts';

export interface LinkOptions {
  /** The host's largest frame, offered at CONNECT. */
  maxFrame?: number;
  /** Retries of a request that got no reply, before LinkTimeout. */
  retries?: number;
  /** Overrides the transport's rate and latency for timeouts. */
  timing?: Partial<LinkTiming>;
}

export interface RequestOptions {
  operationMs?: number;
  queuedBytes?: number;
  retries?: number;
  /** Replaces the computed timeout (e.g. a short probe). */
  timeoutMs?: number;
}

export interface LinkEvents {
  'write-ack': [ack: WriteAck];
  /** The device dropped a WRITE (CRC, gap, no credit) and expects this offset next. */
  nak: [expectedOffset: number, error: HubflashError];
  /** Any other refusal of a WRITE (BadState, BadRequest, FlashFailure): the transfer must resync. */
  'write-error': [error: HubflashError];
  /** A batch of WRITE frames could not be written. */
  'write-failed': [error: HubflashError];
  close: [error?: HubflashError];
}

const NAK_CODES = new Set([DeviceErrorCode.BadCrc, DeviceErrorCode.WrongOffset, DeviceErrorCode.Busy]);
export const DEFAULT_HOST_MAX_FRAME = 2048;
const DEFAULT_RETRIES = 3;

/**
 * Framing over a transport: numbers and encodes outgoing messages, decodes incoming frames, and
 * matches replies to requests by type and sequence number (retrying with a fresh number on a
 * timeout). WRITE-ACKs and NAKs are not matched; they are events for the transfer.
 */
export class Link extends EventEmitter<LinkEvents> {
  readonly timing: LinkTiming;
  private seq = 0;
  private agreedMaxFrame = DEFAULT_MAX_FRAME;
  private readonly hostMaxFrame: number;
  private readonly retries: number;
  private readonly decoder: FrameDecoder;
  private readonly waitress = new Waitress<ReplyFrame, { replyType: number; requestType: number; seq: number }>(
    (reply, m) => reply.seq === m.seq && (reply.type === m.replyType || (reply.message.kind === 'error' && reply.message.requestType === m.requestType)),
    (m, timeoutMs) => new HubflashError(ErrorCode.LinkTimeout, `no reply to ${MessageType[m.requestType]} within ${timeoutMs} ms`, { request: MessageType[m.requestType], timeoutMs }),
  );
  /** Counters for results and benchmarks. */
  readonly stats = { framesSent: 0, wireBytesSent: 0, framesReceived: 0, malformed: 0, unclaimed: 0 };

  constructor(
    readonly transport: Transport,
    options: LinkOptions = {},
  ) {
    super();
    this.hostMaxFrame = options.maxFrame ?? DEFAULT_HOST_MAX_FRAME;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.timing = {
      bytesPerSecond: options.timing?.bytesPerSecond ?? transport.info.bytesPerSecond,
      latencyMs: options.timing?.latencyMs ?? transport.info.latencyMs,
    };
    this.decoder = new FrameDecoder({ maxFrame: Math.max(this.hostMaxFrame, DEFAULT_MAX_FRAME), onFrame: (f) => this.onFrame(f) });
    transport.on('data', this.onData);
    transport.on('close', this.onClose);
  }

  /** Stops listening to the transport (which stays as it is), e.g. to hand it to another link. */
  detach(): void {
    this.transport.off('data', this.onData);
    this.transport.off('close', this.onClose);
    this.waitress.rejectAll(new HubflashError(ErrorCode.LinkClosed, `${this.name}: the link was detached`, { port: this.name }));
  }

  private readonly onData = (chunk: Uint8Array): void => this.decoder.push(chunk);

  private readonly onClose = (error?: HubflashError): void => {
    this.waitress.rejectAll(error ?? new HubflashError(ErrorCode.LinkClosed, `${this.name} was closed`, { port: this.name }));
    this.emit('close', error);
  };

  get name(): string {
    return this.transport.info.name;
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** The frame size agreed at CONNECT (DEFAULT_MAX_FRAME before). */
  get maxFrame(): number {
    return this.agreedMaxFrame;
  }

  get framesDropped(): number {
    return totalDropped(this.decoder.stats);
  }

  /** Opens the transport if it is closed; a partial frame from before is forgotten. */
  async open(): Promise<void> {
    this.decoder.reset();
    if (!this.transport.isOpen) await this.transport.open();
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** CONNECT: agrees the frame size. Safe at any time; it does not touch the hub's slots. */
  async connect(options: RequestOptions = {}): Promise<ReplyOf['connect']> {
    const reply = await this.request({ kind: 'connect', protocolVersion: PROTOCOL_VERSION, maxFrame: this.hostMaxFrame }, options);
    if (reply.protocolVersion !== PROTOCOL_VERSION) {
      throw new HubflashError(ErrorCode.DeviceProtocolMismatch, `${this.name}: the hub speaks protocol version ${reply.protocolVersion}, not ${PROTOCOL_VERSION}`, {
        port: this.name,
        deviceVersion: reply.protocolVersion,
      });
    }
    this.agreedMaxFrame = Math.min(reply.maxFrame, this.hostMaxFrame);
    return reply;
  }

  /**
   * Sends a command and waits for its reply. No reply: retried with the same content and a new
   * sequence number, then LinkTimeout. An ERROR reply is thrown as its HubflashError; Busy is
   * waited out and retried.
   */
  async request<R extends CommandRequest>(message: R, options: RequestOptions = {}): Promise<ReplyOf[R['kind']]> {
    const requestType = messageType(message.kind);
    const retries = options.retries ?? this.retries;
    const timeoutMs =
      options.timeoutMs ??
      commandTimeoutMs(this.timing, {
        requestBytes: message.kind === 'begin' ? 7 + 104 : 7 + 3,
        replyBytes: REPLY_FRAME_BYTES[message.kind],
        operationMs: options.operationMs ?? 0,
        queuedBytes: options.queuedBytes ?? 0,
      });
    let lastError: HubflashError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const seq = this.nextSeq();
      const wait = this.waitress.waitFor({ replyType: requestType | 0x80, requestType, seq }, timeoutMs);
      // The deadline holds even while the write is pending (a wedged adapter may never call
      // back); a failed write fails the request at once.
      const written = this.writeBytes(encodeMessage(message, seq), 1).then(
        () => wait.promise,
        (err: unknown) => {
          this.waitress.remove(wait.id);
          throw err;
        },
      );
      written.catch(() => undefined);
      try {
        const reply = await Promise.race([wait.promise, written]);
        if (reply.message.kind !== 'error') return reply.message as ReplyOf[R['kind']];
        const error = errorFromReply(reply.message);
        if (reply.message.code !== DeviceErrorCode.Busy) throw error;
        lastError = error;
        await delay(Math.min(reply.message.arg, 5_000));
      } catch (err) {
        if (!isHubflashError(err, ErrorCode.LinkTimeout)) throw err;
        lastError = err;
      }
    }
    throw new HubflashError(
      lastError?.code ?? ErrorCode.LinkTimeout,
      `${this.name}: no usable reply to ${MessageType[requestType]} after ${retries + 1} attempts of ${timeoutMs} ms; check the cable and the hub's power`,
      { port: this.name, request: MessageType[requestType], attempts: retries + 1, timeoutMs },
      { cause: lastError },
    );
  }

  /**
   * Writes WRITE frames in one batch, without waiting for acknowledgements. Returns the wire
   * bytes; a failed write is reported as 'write-failed'.
   */
  sendWrites(chunks: ReadonlyArray<{ offset: number; data: Uint8Array }>): number {
    if (chunks.length === 0) return 0;
    const frames = chunks.map((c) => encodeMessage({ kind: 'write', offset: c.offset, data: c.data }, this.nextSeq()));
    const batch = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    this.writeBytes(batch, frames.length).catch((err: unknown) => {
      this.emit('write-failed', isHubflashError(err) ? err : new HubflashError(ErrorCode.LinkWriteFailed, String(err), { port: this.name }));
    });
    return batch.length;
  }

  private async writeBytes(bytes: Buffer, frames: number): Promise<void> {
    this.stats.framesSent += frames;
    this.stats.wireBytesSent += bytes.length;
    await this.transport.write(bytes);
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    return seq;
  }

  private onFrame(frame: Frame): void {
    if (!isReplyType(frame.type)) return; // the host ignores requests
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      this.stats.malformed++;
      return;
    }
    this.stats.framesReceived++;
    const message = decoded.message as Reply;
    if (message.kind === 'write-ack') {
      this.emit('write-ack', message);
      return;
    }
    if (message.kind === 'error' && message.requestType === MessageType.Write) {
      this.onWriteError(message);
      return;
    }
    if (!this.waitress.resolve({ seq: frame.seq, type: frame.type, message })) this.stats.unclaimed++;
  }

  private onWriteError(reply: ErrorReply): void {
    const error = errorFromReply(reply);
    if (NAK_CODES.has(reply.code)) this.emit('nak', reply.arg, error);
    else this.emit('write-error', error);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
