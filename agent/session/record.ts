import { performance } from 'node:perf_hooks';
import type { HubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import type { IdentifyReply } from '../../protocol/messages/index.ts';
import type { Checkpoint, SessionStore } from './checkpoint.ts';
import { Checkpointer } from './checkpointer.ts';
import type { HubInfo } from './identity.ts';
import type { FlashImage } from './image.ts';
import type { Outcome, Phase, PhaseDurations } from './phases.ts';
import type { TransferCounters } from './transfer.ts';

export interface SessionProgress {
  port: string;
  chfId?: string;
  phase: Phase;
  committedOffset: number;
  size: number;
  bytesSent: number;
  bytesResent: number;
  resumes: number;
  rateBytesPerSecond: number;
}

export interface SessionReport {
  port: string;
  outcome: Outcome;
  error?: HubflashError;
  hub?: HubInfo;
  from?: { version: string; hash: string };
  to: { version: string; hash: string };
  bytesSent: number;
  bytesResent: number;
  resumes: number;
  phases: PhaseDurations;
  startedAt: Date;
  finishedAt: Date;
}

export interface RecordOptions {
  image: FlashImage;
  store: SessionStore;
  port: () => string;
  checkpointMs: number;
  onProgress?: ((progress: SessionProgress) => void) | undefined;
  /** The journal failed: the session must stop rather than flash on without resume points. */
  onStoreError: (err: unknown) => void;
}

/**
 * What a session keeps about itself: the phase and the time spent in each, the byte counters
 * and resumes, what the hub ran before, and the checkpoint in the journal. Progress is reported
 * from here, and only with offsets the journal already holds.
 */
export class SessionRecord {
  phase: Phase = 'connect';
  readonly counters: TransferCounters = { bytesSent: 0, bytesResent: 0, sentOffset: 0 };
  resumes = 0;
  /** The hub's committed offset as last seen. */
  committed = 0;
  /** The journal's checkpoint for this hub and image, as found when the hub was identified. */
  saved: Checkpoint | undefined;
  hub: { info: HubInfo; chfId: string } | undefined;
  private from: { version: string; hash: string } | undefined;
  private base: Checkpoint | undefined;
  private checkpointer: Checkpointer | undefined;
  private readonly phases: PhaseDurations = {};
  private phaseStart = performance.now();
  private savedOffset = 0;
  private startedAt = new Date();
  private rate = { at: performance.now(), offset: 0 };

  constructor(private readonly o: RecordOptions) {}

  /** The hub is known: continue its unfinished checkpoint, or start one. */
  async start(reply: IdentifyReply, info: HubInfo): Promise<void> {
    this.hub = { info, chfId: reply.chfId };
    const saved = await this.o.store.load(reply.chfId, this.o.image.sha256);
    if (saved && saved.outcome === undefined) {
      this.saved = saved;
      this.resumes += saved.resumes + 1;
      this.counters.bytesSent += saved.bytesSent;
      this.counters.bytesResent += saved.bytesResent;
      this.counters.sentOffset = Math.max(this.counters.sentOffset, saved.sentOffset);
      for (const [k, v] of Object.entries(saved.phases)) this.addTime(k as keyof PhaseDurations, v);
      this.from = saved.from;
      this.startedAt = new Date(saved.startedAt);
      this.base = saved;
    } else {
      this.from = { version: formatFirmwareVersion(reply.runningVersion), hash: reply.runningHash };
      this.base = {
        chfId: reply.chfId,
        imageHash: this.o.image.sha256,
        size: this.o.image.size,
        phase: this.phase,
        committedOffset: 0,
        sentOffset: 0,
        bytesSent: 0,
        bytesResent: 0,
        resumes: 0,
        phases: {},
        from: this.from,
        startedAt: this.startedAt.toISOString(),
        updatedAt: new Date().toISOString(),
        port: this.o.port(),
      };
    }
    this.checkpointer = new Checkpointer(
      this.o.store,
      () => this.snapshot(),
      (c) => {
        this.savedOffset = c.committedOffset;
        this.progress(c.committedOffset);
      },
      this.o.onStoreError,
      this.o.checkpointMs,
    );
  }

  /** The transfer moved the hub's committed offset: save soon, report once saved. */
  advance(committed: number): void {
    this.committed = committed;
    this.checkpointer?.request();
  }

  /** Saves now and waits until the journal holds it. */
  async flush(): Promise<void> {
    await this.checkpointer?.flush();
  }

  /** Measures the transfer rate from here. */
  rateFrom(offset: number): void {
    this.rate = { at: performance.now(), offset };
  }

  enter(next: Phase): void {
    const now = performance.now();
    if (this.phase !== 'done') this.addTime(this.phase as keyof PhaseDurations, now - this.phaseStart);
    const changed = next !== this.phase;
    this.phase = next;
    this.phaseStart = now;
    if (changed && next !== 'done') {
      // The phase is news at once; the offset shown is the last one the journal holds.
      this.progress(this.savedOffset);
      this.checkpointer?.request();
    }
  }

  /** The last save: a failed flash stays resumable, any other ending closes the entry. */
  async finish(outcome: Outcome): Promise<void> {
    if (this.base) {
      const last = this.snapshot();
      if (outcome !== 'failed') last.outcome = outcome;
      await this.o.store.save(last);
    }
    if (outcome !== 'failed') this.progress(this.committed);
  }

  report(outcome: Outcome, error: HubflashError | undefined): SessionReport {
    const phases: PhaseDurations = {};
    for (const [k, v] of Object.entries(this.phases)) phases[k as keyof PhaseDurations] = Math.round(v);
    return {
      port: this.o.port(),
      outcome,
      ...(error ? { error } : {}),
      ...(this.hub ? { hub: this.hub.info } : {}),
      ...(this.from ? { from: this.from } : {}),
      to: { version: this.o.image.versionText, hash: this.o.image.sha256 },
      bytesSent: this.counters.bytesSent,
      bytesResent: this.counters.bytesResent,
      resumes: this.resumes,
      phases,
      startedAt: this.startedAt,
      finishedAt: new Date(),
    };
  }

  private snapshot(): Checkpoint {
    const phases: PhaseDurations = { ...this.phases };
    if (this.phase !== 'done') {
      const key = this.phase as keyof PhaseDurations;
      phases[key] = (phases[key] ?? 0) + (performance.now() - this.phaseStart);
    }
    return {
      ...this.base!,
      phase: this.phase,
      committedOffset: this.committed,
      sentOffset: this.counters.sentOffset,
      bytesSent: this.counters.bytesSent,
      bytesResent: this.counters.bytesResent,
      resumes: this.resumes,
      phases,
      updatedAt: new Date().toISOString(),
      port: this.o.port(),
    };
  }

  private progress(committedOffset: number): void {
    if (!this.o.onProgress) return;
    const seconds = (performance.now() - this.rate.at) / 1000;
    this.o.onProgress({
      port: this.o.port(),
      ...(this.hub ? { chfId: this.hub.chfId } : {}),
      phase: this.phase,
      committedOffset,
      size: this.o.image.size,
      bytesSent: this.counters.bytesSent,
      bytesResent: this.counters.bytesResent,
      resumes: this.resumes,
      rateBytesPerSecond: seconds > 0 ? Math.max(0, committedOffset - this.rate.offset) / seconds : 0,
    });
  }

  private addTime(key: keyof PhaseDurations, ms: number): void {
    this.phases[key] = (this.phases[key] ?? 0) + ms;
  }
}
