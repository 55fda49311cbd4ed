import type { Clock, Timer } from '../clock/clock.ts';
import { opDurationMs, type FlashOp, type HubFlash } from '../flash/hubFlash.ts';
import type { FlashTiming } from '../flash/timing.ts';
import type { ProtocolStep } from '../faults/types.ts';

/** A flash operation with what to do once it is done. */
export interface FlashJob {
  op: FlashOp;
  done: () => void;
  /** The protocol step this operation is (for faults pinned to a step). */
  step?: ProtocolStep;
}

export interface FlashWorkerHooks {
  /** The next pipeline job when no command is waiting, if any can start. */
  nextPipelineJob(): FlashJob | undefined;
  /** Called as each job starts; false means power was cut there (the job is left partly done). */
  starting(job: FlashJob): boolean;
}

/**
 * Runs flash operations one at a time, each taking its datasheet time. Jobs submitted by commands
 * (settings writes) go before the transfer pipeline's next step. Each job starts when the flash
 * is free, computed from the previous job's end, so timer lateness never slows the flash.
 */
export class FlashWorker {
  private readonly queue: FlashJob[] = [];
  private current: { job: FlashJob; timer: Timer } | undefined;
  private freeAt = 0;
  private stopped = false;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly timing: FlashTiming,
    private readonly flash: HubFlash,
    private readonly hooks: FlashWorkerHooks,
  ) {}

  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  submit(job: FlashJob): void {
    this.queue.push(job);
    this.kick();
  }

  /** Starts work if the flash is idle (e.g. new data arrived for the pipeline). */
  kick(): void {
    if (this.running || this.current !== undefined || this.stopped) return;
    this.running = true;
    try {
      this.loop();
    } finally {
      this.running = false;
    }
  }

  /** Power cut: the operation in progress is left partly done; nothing else runs. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    if (this.current) {
      this.current.timer.cancel();
      this.flash.interrupt(this.current.job.op);
      this.current = undefined;
    }
  }

  private loop(): void {
    while (!this.stopped && this.current === undefined) {
      const job = this.queue.shift() ?? this.hooks.nextPipelineJob();
      if (job === undefined) return;
      if (!this.hooks.starting(job)) return;
      const now = this.clock.now();
      const end = Math.max(now, this.freeAt) + opDurationMs(job.op, this.timing);
      this.freeAt = end;
      if (end <= now) {
        this.complete(job);
        continue;
      }
      const timer = this.clock.at(end, () => this.finishLater(job));
      this.current = { job, timer };
    }
  }

  private finishLater(job: FlashJob): void {
    this.current = undefined;
    this.running = true;
    try {
      this.complete(job);
      this.loop();
    } finally {
      this.running = false;
    }
  }

  private complete(job: FlashJob): void {
    this.flash.finish(job.op);
    job.done();
  }
}
