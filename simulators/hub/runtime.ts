import { FrameDecoder, type Frame } from '../../protocol/framing/index.ts';
import {
  decodeMessage,
  DEFAULT_MAX_FRAME,
  DeviceErrorCode,
  encodeMessage,
  MessageType,
  PROTOCOL_VERSION,
  REPLY_BIT,
  SlotState,
  writeDataBytes,
  type Reply,
  type Request,
} from '../../protocol/messages/index.ts';
import type { Timer } from '../clock/clock.ts';
import type { SettingsRecord } from '../flash/settings.ts';
import type { BootResult } from './bootloader.ts';
import { handleLifecycle } from './commands/lifecycle.ts';
import { handleSession } from './commands/session.ts';
import { handleTransfer } from './commands/transfer.ts';
import { FlashWorker } from './flashWorker.ts';
import type { HubBody } from './hubBody.ts';
import { creditsFor } from './options.ts';
import { pipelineJob } from './pipeline.ts';
import { StagedTransfer } from './transfer.ts';

const IMMEDIATE = new Set<Request['kind']>(['connect', 'identify', 'status']);

/**
 * One powered-up life of a hub: everything in RAM (receive buffer, agreed frame size, queued
 * commands, the flash worker). A power cut or reboot ends it; the next boot makes a new one from
 * what the flash kept.
 */
export class HubRuntime {
  settings: SettingsRecord;
  trial: boolean;
  running: { slot: 0 | 1; version: number; hash: string };
  transfer: StagedTransfer | undefined;
  verified = false;
  agreedFrame = DEFAULT_MAX_FRAME;
  lastWriteSeq = 0;
  readonly worker: FlashWorker;
  private readonly decoder: FrameDecoder;
  private readonly queue: Array<{ message: Request; seq: number }> = [];
  /** A command in progress that holds back the others: a short flash wait, or a long read (Busy). */
  private blocker: { long: boolean; until: number; timer?: Timer } | undefined;
  dead = false;

  constructor(
    readonly body: HubBody,
    boot: BootResult,
  ) {
    this.settings = boot.settings;
    this.trial = boot.trial;
    this.running = { slot: boot.slot, version: boot.version, hash: boot.hash };
    const staged = this.settings.staged;
    if (staged !== null) this.transfer = new StagedTransfer(staged.size, staged.committedOffset, this.capacity());
    this.worker = new FlashWorker(body.clock, body.opts.flash, body.flash, {
      nextPipelineJob: () => pipelineJob(this),
      starting: (job) => body.startingFlashJob(job),
    });
    this.decoder = new FrameDecoder({
      maxFrame: body.opts.maxFrame,
      onFrame: (frame) => this.onFrame(frame),
      onDrop: () => this.nakCorrupt(),
    });
    this.worker.kick();
  }

  get stagedSlot(): 0 | 1 {
    return (1 - this.settings.runningSlot) as 0 | 1;
  }

  get dataBytes(): number {
    return writeDataBytes(this.agreedFrame);
  }

  capacity(): number {
    return creditsFor(this.body.opts.bufferBytes, this.agreedFrame) * this.dataBytes;
  }

  credits(): number {
    return this.transfer ? this.transfer.credits(this.dataBytes) : creditsFor(this.body.opts.bufferBytes, this.agreedFrame);
  }

  slotState(): SlotState {
    if (this.trial) return SlotState.Trial;
    if (this.settings.staged === null || this.transfer === undefined) return SlotState.Empty;
    if (this.verified) return SlotState.Verified;
    return this.transfer.complete ? SlotState.Complete : SlotState.Receiving;
  }

  receive(bytes: Uint8Array): void {
    if (!this.dead) this.decoder.push(bytes);
  }

  kill(): void {
    this.dead = true;
    this.blocker?.timer?.cancel();
    this.worker.stop();
  }

  send(reply: Reply, seq: number): void {
    if (!this.dead) this.body.send(encodeMessage(reply, seq));
  }

  error(requestType: MessageType, code: DeviceErrorCode, arg: number, detail: string, seq: number): void {
    this.send({ kind: 'error', requestType, code, arg, detail }, seq);
  }

  /** Holds later commands until `done` is called (a settings write in the flash queue). */
  holdUntilDone(): () => void {
    this.blocker = { long: false, until: Infinity };
    return () => this.release();
  }

  /** A long read: later commands get Busy until it ends. `fn` runs when it is over. */
  longOperation(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const until = this.body.clock.now() + ms;
    const timer = this.body.clock.at(until, () => {
      this.blocker = undefined;
      fn();
      if (this.blocker === undefined) this.drain();
    });
    this.blocker = { long: true, until, timer };
  }

  private release(): void {
    this.blocker = undefined;
    this.drain();
  }

  private onFrame(frame: Frame): void {
    // A reply-type frame is no request (an echo, another device): never answer it, or two ends
    // could keep each other busy.
    if ((frame.type & REPLY_BIT) !== 0) return;
    const result = decodeMessage(frame);
    if (!result.ok) {
      if (this.slotState() === SlotState.Receiving) return this.nakCorrupt();
      const unknown = !(frame.type in MessageType);
      const code = unknown ? DeviceErrorCode.Unsupported : DeviceErrorCode.BadRequest;
      return this.error(frame.type, code, unknown ? PROTOCOL_VERSION : 0, unknown ? 'unknown request type' : 'request fields malformed', frame.seq);
    }
    const message = result.message as Request;
    if (IMMEDIATE.has(message.kind)) return this.dispatch(message, frame.seq);
    if (this.blocker?.long) {
      if (message.kind === 'write') return this.dispatch(message, frame.seq);
      const wait = Math.max(1, Math.ceil(this.blocker.until - this.body.clock.now()));
      return this.error(frame.type, DeviceErrorCode.Busy, wait, 'a long operation is in progress', frame.seq);
    }
    this.queue.push({ message, seq: frame.seq });
    this.drain();
  }

  private drain(): void {
    while (this.blocker === undefined && !this.dead) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.dispatch(next.message, next.seq);
    }
  }

  private dispatch(message: Request, seq: number): void {
    if (!handleSession(this, message, seq) && !handleTransfer(this, message, seq)) handleLifecycle(this, message, seq);
  }

  /** A corrupt frame while receiving: one BadCrc NAK per expected offset. */
  private nakCorrupt(): void {
    const t = this.transfer;
    if (this.dead || t === undefined || this.slotState() !== SlotState.Receiving || !t.mayNak()) return;
    this.error(MessageType.Write, DeviceErrorCode.BadCrc, t.receivedOffset, 'a frame failed its check', this.lastWriteSeq);
  }
}
