/**
 * The bootloader's settings page: what survives a power cut besides the slots' bytes. Written as
 * two copies with sequence numbers (double-buffered, as real bootloaders keep theirs): each write
 * replaces the older copy, and a write cut short leaves a torn copy that fails its check, so the
 * newer intact copy (the previous settings) is what the bootloader reads.
 */

/** The confirmed image in the running slot. */
export interface ImageRecord {
  version: number;
  size: number;
  hash: string;
}

/** What BEGIN announced for the staged slot, and how much of it is durable. */
export interface StagedRecord {
  hash: string;
  size: number;
  version: number;
  /** Hex, the 64 bytes BEGIN carried. */
  signature: string;
  committedOffset: number;
}

export interface SettingsRecord {
  runningSlot: 0 | 1;
  running: ImageRecord;
  staged: StagedRecord | null;
  /**
   * An activation of the staged slot: `attempted` false means the bootloader boots it next;
   * true means it has booted it once, unconfirmed, so the next boot falls back (a power cut in Trial).
   */
  trial: { attempted: boolean } | null;
  lastBootFailed: boolean;
}

export interface SettingsCopy {
  seq: number;
  /** False for a copy whose write was cut short. */
  intact: boolean;
  record: SettingsRecord;
}

export class SettingsStore {
  constructor(private copies: [SettingsCopy | null, SettingsCopy | null] = [null, null]) {}

  /** The newest intact copy's record: what the bootloader reads at power-on. */
  current(): SettingsRecord | undefined {
    return this.newest()?.record;
  }

  write(record: SettingsRecord): void {
    this.copies[this.target()] = { seq: this.nextSeq(), intact: true, record: structuredClone(record) };
  }

  /** A write cut short: the copy it was replacing is now torn. */
  tear(record: SettingsRecord): void {
    this.copies[this.target()] = { seq: this.nextSeq(), intact: false, record: structuredClone(record) };
  }

  snapshot(): [SettingsCopy | null, SettingsCopy | null] {
    return structuredClone(this.copies);
  }

  private newest(): SettingsCopy | undefined {
    const intact = this.copies.filter((c): c is SettingsCopy => c !== null && c.intact);
    return intact.sort((a, b) => b.seq - a.seq)[0];
  }

  /** The copy to overwrite: an empty one, else the older intact one, never the newest intact. */
  private target(): 0 | 1 {
    const [a, b] = this.copies;
    if (a === null) return 0;
    if (b === null) return 1;
    const newest = this.newest();
    if (newest === a) return 1;
    if (newest === b) return 0;
    return a.seq <= b.seq ? 0 : 1;
  }

  private nextSeq(): number {
    return Math.max(0, ...this.copies.map((c) => c?.seq ?? 0)) + 1;
  }
}
