import { performance } from 'node:perf_hooks';
import { ErrorCode, isHubflashError, type HubflashError } from '../../protocol/errors/index.ts';
import { InstallState, SlotState, type ConnectReply, type IdentifyReply, type StatusReply } from '../../protocol/messages/index.ts';
import { activateOperationMs, Link, verifyOperationMs, type LinkOptions } from '../link/index.ts';
import type { Transport } from '../transport/index.ts';
import { silentLogger, type AgentLogger } from '../log.ts';
import { aborted, sleep, throwIfAborted } from './abort.ts';
import { MemoryStore, type SessionStore } from './checkpoint.ts';
import {
  asHubflashError,
  bootFailed,
  confirmMismatch,
  hubChanged,
  isIneligibility,
  journalDisagreement,
  lostTooOften,
  otherTrial,
  portGone,
  runsImage,
  stagedComplete,
  verifyMismatch,
} from './decide.ts';
import { checkEligibility } from './eligibility.ts';
import { checkIdentity, hubInfo } from './identity.ts';
import type { FlashImage } from './image.ts';
import type { Outcome, Phase } from './phases.ts';
import { DEFAULT_POLICY, type SessionPolicy } from './policy.ts';
import { ReconnectBudget } from './reconnect.ts';
import { SessionRecord, type SessionProgress, type SessionReport } from './record.ts';
import { Transfer } from './transfer.ts';

export type { SessionProgress, SessionReport } from './record.ts';

export interface SessionOptions {
  /** The hub's port; the session opens it if needed, and leaves it open at the end. */
  transport: Transport;
  link?: LinkOptions;
  image: FlashImage;
  store?: SessionStore;
  signal?: AbortSignal;
  onProgress?: (progress: SessionProgress) => void;
  logger?: AgentLogger;
  /** The hub expected on this port (a resume on a new port): another hub is refused. */
  expectedChfId?: string;
  policy?: Partial<SessionPolicy>;
}

type Next = Phase | 'already-current';

/**
 * One hub's flash as an explicit state machine: connect → identify → check → transfer → verify
 * → activate → confirm → done. A recoverable failure (timeout, cable pull on a port that comes
 * back, power cut) reconnects and resumes from the hub's own offsets, a bounded number of times
 * in a row; any other failure ends the session with its HubflashError.
 */
export class HubSession {
  private readonly link: Link;
  private readonly image: FlashImage;
  private readonly policy: SessionPolicy;
  private readonly log: AgentLogger;
  private readonly r: SessionRecord;
  private readonly reconnects: ReconnectBudget;
  private reconnecting = false;
  private activations = 0;
  private connectReply: ConnectReply | undefined;
  private hub: IdentifyReply | undefined;
  private transfer: Transfer | undefined;
  private status: StatusReply | undefined;
  private rebootUntil = 0;

  constructor(private readonly o: SessionOptions) {
    this.link = new Link(o.transport, o.link);
    this.image = o.image;
    this.policy = { ...DEFAULT_POLICY, ...o.policy };
    this.reconnects = new ReconnectBudget(this.policy);
    this.log = o.logger ?? silentLogger;
    this.r = new SessionRecord({
      image: o.image,
      store: o.store ?? new MemoryStore(),
      port: () => this.port,
      checkpointMs: this.policy.checkpointMs,
      onProgress: o.onProgress,
      onStoreError: (err) => this.transfer?.fail(asHubflashError(err, this.port)),
    });
  }

  get port(): string {
    return this.link.name;
  }

  async run(): Promise<SessionReport> {
    let outcome: Outcome;
    let error: HubflashError | undefined;
    for (;;) {
      try {
        outcome = await this.drive();
        break;
      } catch (err) {
        const e = asHubflashError(err, this.port);
        if (await this.reconnectAfter(e)) continue;
        // Cancelled while waiting to reconnect: the cancel is what ended it.
        error = this.o.signal?.aborted ? aborted(this.port) : e;
        outcome = isIneligibility(e) ? 'ineligible' : 'failed';
        break;
      }
    }
    this.link.detach();
    if (outcome !== 'failed') this.enter('done');
    else this.r.enter(this.r.phase); // closes the time of the phase it failed in
    await this.r.finish(outcome).catch((err: unknown) => {
      this.log.error({ port: this.port, err }, 'could not record the end of the flash in the journal');
    });
    return this.r.report(outcome, error);
  }

  private async drive(): Promise<Exclude<Outcome, 'failed' | 'ineligible'>> {
    for (;;) {
      throwIfAborted(this.o.signal, this.port);
      switch (this.r.phase) {
        case 'connect':
          await this.connect();
          this.enter('identify');
          break;
        case 'identify':
          await this.identify();
          this.enter('check');
          break;
        case 'check': {
          const next = await this.check();
          if (next === 'already-current' || next === 'done') return next === 'done' ? 'verified' : 'already-current';
          this.enter(next);
          break;
        }
        case 'transfer':
          await this.runTransfer();
          this.enter('verify');
          break;
        case 'verify':
          await this.verify();
          this.enter('activate');
          break;
        case 'activate':
          await this.activate();
          this.enter('confirm');
          break;
        case 'confirm': {
          const next = await this.confirm();
          if (next === 'done') return 'verified';
          this.enter(next);
          break;
        }
        case 'done':
          return 'verified';
      }
    }
  }

  // --- phases -------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    try {
      await this.link.open();
    } catch (err) {
      if (!this.hub) throw err; // never reached the hub: the port itself is wrong (PortOpenFailed)
      throw portGone(this.port, this.hub.chfId, this.r.committed, err);
    }
    this.connectReply = await this.link.connect();
    if (this.reconnecting) {
      this.reconnecting = false;
      this.r.resumes++;
    }
  }

  private async identify(): Promise<void> {
    const reply = await this.link.request({ kind: 'identify' });
    checkIdentity(reply, this.port);
    const expected = this.hub?.chfId ?? this.o.expectedChfId;
    if (expected !== undefined && reply.chfId !== expected) throw hubChanged(this.port, expected, reply.chfId);
    this.hub = reply;
    if (!this.r.hub) await this.r.start(reply, hubInfo(reply));
  }

  /** Issue step 3 and the resume decisions: where this hub's flash continues. */
  private async check(): Promise<Next> {
    const hub = this.hub!;
    if (hub.installState !== InstallState.NotInstalled) throw checkEligibility(this.image, hub)!;
    if (hub.slotState === SlotState.Trial) {
      if (runsImage(hub, this.image)) return 'confirm';
      throw otherTrial(hub);
    }
    if (runsImage(hub, this.image)) {
      // Activated by an earlier run of this flash that ended before recording it: our doing.
      const phase = this.r.saved?.phase;
      return phase === 'activate' || phase === 'confirm' ? 'done' : 'already-current';
    }
    const status = await this.link.request({ kind: 'status' });
    this.status = status;
    if (hub.lastBootFailed && status.stagedHash === this.image.sha256) throw bootFailed(hub, this.image);
    const ineligible = checkEligibility(this.image, hub);
    if (ineligible) throw ineligible;
    const disagreement = journalDisagreement(this.r.saved, status, this.image);
    if (disagreement) this.log.warn({ port: this.port, ...disagreement }, 'the journal and the hub disagree; the hub wins');
    if (stagedComplete(status, this.image)) {
      this.r.committed = this.image.size;
      return 'verify';
    }
    return 'transfer';
  }

  private async runTransfer(): Promise<void> {
    const image = this.image;
    const begin = await this.link.request({ kind: 'begin', imageHash: image.sha256, size: image.size, version: image.version, signature: image.signature });
    const staged = this.status?.stagedHash === image.sha256 ? this.status.committedOffset : 0;
    this.r.committed = Math.min(staged, begin.resumeOffset);
    if (begin.resumeOffset > 0) this.log.info({ port: this.port, chfId: this.hub?.chfId, offset: begin.resumeOffset }, 'resuming the transfer');
    this.r.rateFrom(begin.resumeOffset);
    const transfer = new Transfer({
      link: this.link,
      bytes: image.bytes,
      start: { receivedOffset: begin.resumeOffset, committedOffset: this.r.committed, credits: begin.credits },
      counters: this.r.counters,
      maxCredits: Math.max(this.connectReply?.credits ?? begin.credits, begin.credits),
      retries: this.policy.transferRetries,
      ...(this.o.signal ? { signal: this.o.signal } : {}),
      onAdvance: (committed) => {
        if (committed > this.r.committed) this.reconnects.progressed();
        this.r.advance(committed);
      },
    });
    this.transfer = transfer;
    try {
      await transfer.run();
    } finally {
      this.transfer = undefined;
    }
    this.r.committed = image.size;
  }

  private async verify(): Promise<void> {
    const reply = await this.link.request({ kind: 'verify' }, { operationMs: verifyOperationMs(this.image.size) });
    if (reply.sha256 === this.image.sha256 && reply.size === this.image.size) return;
    // The staged copy is bad: discard it so the next flash starts clean.
    await this.link.request({ kind: 'abort' }).catch(() => {});
    throw verifyMismatch(this.hub?.chfId, reply, this.image);
  }

  private async activate(): Promise<void> {
    if (++this.activations > this.policy.activations) throw lostTooOften(this.hub?.chfId, this.activations - 1);
    // Durable before ACTIVATE, so a run that finds the hub on the new image knows it was ours.
    await this.r.flush();
    const reply = await this.link.request({ kind: 'activate' }, { operationMs: activateOperationMs(this.image.size) });
    this.rebootUntil = performance.now() + reply.rebootMs;
  }

  private async confirm(): Promise<Phase> {
    const wait = this.rebootUntil - performance.now();
    if (wait > 0) await sleep(wait, this.o.signal, this.port);
    await this.connectWithin(this.policy.rebootConnectMs);
    await this.identify();
    const hub = this.hub!;
    let running = { chfId: hub.chfId, runningVersion: hub.runningVersion, runningHash: hub.runningHash };
    if (hub.slotState === SlotState.Trial && runsImage(hub, this.image) && hub.runningVersion === this.image.version) {
      const reply = await this.link.request({ kind: 'confirm' });
      if (reply.runningHash === this.image.sha256 && reply.runningVersion === this.image.version) return 'done';
      // A power cut between the reboot and CONFIRM: the hub fell back, and answered on its old image.
      running = { chfId: hub.chfId, runningVersion: reply.runningVersion, runningHash: reply.runningHash };
    } else if (runsImage(hub, this.image)) {
      return 'done'; // confirmed already: an earlier CONFIRM's reply was lost
    } else if (hub.lastBootFailed) {
      throw bootFailed(hub, this.image);
    }
    const status = await this.link.request({ kind: 'status' });
    if (stagedComplete(status, this.image)) {
      this.log.warn({ port: this.port, chfId: hub.chfId }, 'the hub came back on its old image (power cut before confirm); activating again');
      return 'verify';
    }
    throw confirmMismatch(running, this.image, 'After the reboot');
  }

  private async connectWithin(budgetMs: number): Promise<void> {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      try {
        await this.connect();
        return;
      } catch (err) {
        if (!isHubflashError(err, ErrorCode.LinkTimeout) || performance.now() >= deadline) throw err;
      }
    }
  }

  // --- reconnects and the journal ----------------------------------------------------------

  /** After a recoverable error: pause, then start again at CONNECT. False when the error is final. */
  private async reconnectAfter(error: HubflashError): Promise<boolean> {
    if (this.o.signal?.aborted) return false;
    const pause = this.reconnects.pauseAfter(error, this.r.phase);
    if (pause === undefined) return false;
    this.log.warn({ port: this.port, chfId: this.hub?.chfId, phase: this.r.phase, code: error.codeName, err: error.message }, 'reconnecting to resume');
    this.reconnecting = true; // a resume once the hub answers again
    this.enter('connect');
    try {
      await sleep(pause, this.o.signal, this.port);
    } catch {
      return false;
    }
    return true;
  }

  private enter(next: Phase): void {
    this.reconnects.entering(this.r.phase, next);
    this.r.enter(next);
  }
}
