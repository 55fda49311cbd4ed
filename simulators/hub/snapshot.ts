import { SlotState } from '../../protocol/messages/index.ts';
import type { HubFlash } from '../flash/hubFlash.ts';
import type { BootResult } from './bootloader.ts';
import type { HubRuntime } from './runtime.ts';

/** A hub's state at a glance, for tests and the `sim` command. */
export interface HubSnapshot {
  powered: boolean;
  /** The image booted last: its slot, version, SHA-256 as read from flash, and whether it is intact. */
  running: { slot: 0 | 1; version: number; hash: string; valid: boolean; trial: boolean };
  slotState: SlotState;
  receivedOffset: number;
  committedOffset: number;
  stagedHash: string | null;
  stagedSize: number;
  lastBootFailed: boolean;
  /** Flash operations started over the hub's life (erase, page program, settings write). */
  flashOps: number;
}

export function snapshotOf(flash: HubFlash, rt: HubRuntime | undefined, boot: BootResult | undefined, powered: boolean): HubSnapshot {
  const settings = rt?.settings ?? flash.settings.current()!;
  const staged = settings.staged;
  const running = boot
    ? { slot: boot.slot, version: boot.version, hash: boot.hash, valid: boot.valid, trial: rt?.trial ?? boot.trial }
    : { slot: settings.runningSlot, version: settings.running.version, hash: settings.running.hash, valid: true, trial: false };
  return {
    powered,
    running,
    slotState: rt?.slotState() ?? durableSlotState(settings.staged, settings.trial !== null),
    receivedOffset: rt?.transfer?.receivedOffset ?? staged?.committedOffset ?? 0,
    committedOffset: staged?.committedOffset ?? 0,
    stagedHash: staged?.hash ?? null,
    stagedSize: staged?.size ?? 0,
    lastBootFailed: settings.lastBootFailed,
    flashOps: flash.opCount,
  };
}

/** What the settings alone say (the hub is off, so nothing in RAM). */
function durableSlotState(staged: { size: number; committedOffset: number } | null, trial: boolean): SlotState {
  if (trial) return SlotState.Trial;
  if (staged === null) return SlotState.Empty;
  return staged.committedOffset >= staged.size ? SlotState.Complete : SlotState.Receiving;
}
