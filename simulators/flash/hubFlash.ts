import type { Random } from '../random.ts';
import { NorRegion } from './nor.ts';
import { SettingsStore, type SettingsRecord } from './settings.ts';
import type { FlashTiming } from './timing.ts';

/** One flash operation: the unit of timing, counting and power-loss injection. */
export type FlashOp =
  | { kind: 'erase'; slot: 0 | 1; block: number }
  | { kind: 'program'; slot: 0 | 1; address: number; data: Uint8Array }
  | { kind: 'settings'; record: SettingsRecord };

export function opDurationMs(op: FlashOp, timing: FlashTiming): number {
  if (op.kind === 'erase') return timing.eraseMs;
  if (op.kind === 'program') return timing.programMs;
  return timing.settingsWriteMs;
}

/**
 * A hub's flash: two image slots and the settings page. Every erase, page program and settings
 * write is counted; an operation cut short by a power cut leaves its block, page or settings copy
 * partly done. Knows nothing of time or protocol: the hub's flash worker drives it.
 */
export class HubFlash {
  readonly slots: [NorRegion, NorRegion];
  readonly settings: SettingsStore;
  /** Operations started so far (the one in progress included), over the hub's life. */
  opCount = 0;
  /** Operation numbers (1-based) at which power is cut, each once. */
  readonly cutAtOps = new Set<number>();

  constructor(
    readonly slotSize: number,
    private readonly rng: Random,
    settings = new SettingsStore(),
  ) {
    this.slots = [new NorRegion(slotSize), new NorRegion(slotSize)];
    this.settings = settings;
  }

  /**
   * Counts an operation as started. Returns false when power is cut at this operation: it is
   * left partly done, and the caller must treat the hub as unpowered.
   */
  start(op: FlashOp): boolean {
    this.opCount++;
    if (!this.cutAtOps.delete(this.opCount)) return true;
    this.interrupt(op);
    return false;
  }

  finish(op: FlashOp): void {
    if (op.kind === 'erase') this.slots[op.slot].erase(op.block);
    else if (op.kind === 'program') this.slots[op.slot].program(op.address, op.data);
    else this.settings.write(op.record);
  }

  /** A power cut during the operation: garbage where it was working. */
  interrupt(op: FlashOp): void {
    if (op.kind === 'erase') this.slots[op.slot].garbleErase(op.block, this.rng);
    else if (op.kind === 'program') this.slots[op.slot].garbleProgram(op.address, op.data, this.rng);
    else this.settings.tear(op.record);
  }

  /** Factory state: the image in slot 0 and first settings, written by the factory programmer. */
  provision(image: Uint8Array, record: SettingsRecord): void {
    this.slots[0].provision(image);
    this.settings.write(record);
  }
}
