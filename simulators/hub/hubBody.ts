import type { InstallState } from '../../protocol/messages/index.ts';
import type { Clock } from '../clock/clock.ts';
import type { ProtocolStep } from '../faults/types.ts';
import type { FlashOp, HubFlash } from '../flash/hubFlash.ts';
import type { FlashJob } from './flashWorker.ts';
import type { HubIdentity } from './identity.ts';
import type { ResolvedHubOptions } from './options.ts';

/**
 * What outlives a power cut, as the RAM runtime sees it: options, flash, the port, the faults and
 * the hub's events. Implemented by SimulatedHub.
 */
export interface HubBody {
  readonly opts: ResolvedHubOptions;
  readonly clock: Clock;
  readonly flash: HubFlash;
  readonly identity: HubIdentity;
  /** Install state as enforced (a Commissioned fault overrides the identity's). */
  readonly installState: InstallState;
  /** What IDENTIFY reports (nonsense under that fault). */
  reportedIdentity(): HubIdentity;
  send(bytes: Uint8Array): void;
  /** Counts a starting flash job and fires faults pinned to it; false when power was cut. */
  startingFlashJob(job: FlashJob): boolean;
  /** The hub reached a protocol step; false when a fault cut power there. */
  reach(step: ProtocolStep, interrupting?: FlashOp): boolean;
  /** The transfer reached an image offset; false when a fault cut power there. */
  reachOffset(offset: number): boolean;
  /** ACTIVATE accepted: reset into the bootloader. */
  reboot(): void;
  /** A durable change happened: save the state folder soon. */
  changed(): void;
  emit(event: string, ...args: unknown[]): boolean;
}
