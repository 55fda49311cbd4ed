import type { Outcome, Phase, PhaseDurations } from './phases.ts';

/**
 * A session's resume point, kept per hub and image (the rig's journal stores it durably). The
 * hub's own offsets and staged hash always win over it; it carries what the hub cannot know:
 * what the hub ran before, the counters, and how far the flash got.
 */
export interface Checkpoint {
  chfId: string;
  imageHash: string;
  size: number;
  phase: Phase;
  /** The hub's committed offset when last saved. */
  committedOffset: number;
  /** The highest image offset sent so far: bytes below it that are sent again are re-sent. */
  sentOffset: number;
  bytesSent: number;
  bytesResent: number;
  resumes: number;
  phases: PhaseDurations;
  /** What the hub ran before this flash. */
  from: { version: string; hash: string };
  startedAt: string;
  updatedAt: string;
  port: string;
  /** Set once the flash has ended for good; a later flash of the same hub and image starts afresh. */
  outcome?: Outcome;
}

/** Where sessions keep checkpoints; `save` resolves only once the checkpoint is durable. */
export interface SessionStore {
  load(chfId: string, imageHash: string): Promise<Checkpoint | undefined>;
  save(checkpoint: Checkpoint): Promise<void>;
}

/** A store that forgets on exit, for a caller that does not need to resume across restarts. */
export class MemoryStore implements SessionStore {
  private readonly entries = new Map<string, Checkpoint>();

  async load(chfId: string, imageHash: string): Promise<Checkpoint | undefined> {
    const c = this.entries.get(`${chfId}!${imageHash}`);
    return c && structuredClone(c);
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    this.entries.set(`${checkpoint.chfId}!${checkpoint.imageHash}`, structuredClone(checkpoint));
  }
}
