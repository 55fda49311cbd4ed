import { createHash } from 'node:crypto';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { loadPublicKey, parseImage } from '../../protocol/image/index.ts';
import { DEFAULT_MAX_FRAME, WRITE_OVERHEAD_BYTES, writeDataBytes } from '../../protocol/messages/index.ts';
import { realClock, type Clock } from '../clock/clock.ts';
import type { HubFaults } from '../faults/types.ts';
import { BLOCK_SIZE, FLASH_DEFAULTS, type FlashTiming } from '../flash/timing.ts';
import { makeTestIdentity, resolveIdentity, type HubIdentity } from './identity.ts';

export interface SimulatedHubOptions {
  identity?: Partial<HubIdentity>;
  /** PEM public keys the bootloader trusts for manufacturer signatures. */
  trustedKeys: string[];
  /** The running image at first power-on (a manufacturer image; any bytes are accepted). */
  factoryImage?: Uint8Array;
  /** The running version at first power-on; default: the factory image's file version, else 1. */
  runningVersion?: number;
  flash?: Partial<FlashTiming>;
  /** How long a reboot (after ACTIVATE, or at power-on) keeps the hub silent. */
  rebootMs?: number;
  /** The largest frame the device decodes (header, payload, CRC). */
  maxFrame?: number;
  /** RAM receive buffer, bytes. */
  bufferBytes?: number;
  /** Bytes per image slot; a multiple of 4 KiB. */
  slotSize?: number;
  faults?: HubFaults;
  /** Keeps identity and flash here, so a new SimulatedHub on the same folder is the same hub. */
  stateDir?: string;
  /** Seeds every random choice (garbage left by a cut, line faults). */
  seed?: number;
  clock?: Clock;
}

export const HUB_DEFAULTS = Object.freeze({
  maxFrame: 4107,
  bufferBytes: 16 * 1024,
  slotSize: 4 * 1024 * 1024,
  rebootMs: 1500,
});

export interface ResolvedHubOptions {
  identity: HubIdentity;
  trustedKeys: string[];
  factoryImage: Uint8Array;
  runningVersion: number;
  flash: FlashTiming;
  rebootMs: number;
  maxFrame: number;
  bufferBytes: number;
  slotSize: number;
  faults: HubFaults;
  stateDir: string | undefined;
  seed: number;
  clock: Clock;
}

export function resolveHubOptions(opts: SimulatedHubOptions): ResolvedHubOptions {
  if (!Array.isArray(opts.trustedKeys)) throw invalid('trustedKeys must be a list of PEM public keys');
  opts.trustedKeys.forEach((k) => loadPublicKey(k));
  const maxFrame = opts.maxFrame ?? HUB_DEFAULTS.maxFrame;
  if (!Number.isInteger(maxFrame) || maxFrame < DEFAULT_MAX_FRAME || maxFrame > 0xffff) {
    throw invalid(`maxFrame must be ${DEFAULT_MAX_FRAME} to 65535, got ${String(maxFrame)}`);
  }
  const bufferBytes = opts.bufferBytes ?? HUB_DEFAULTS.bufferBytes;
  if (!Number.isInteger(bufferBytes) || bufferBytes < BLOCK_SIZE) {
    throw invalid(`bufferBytes must be a whole number of at least ${BLOCK_SIZE} (one flash block), got ${String(bufferBytes)}`);
  }
  const slotSize = opts.slotSize ?? HUB_DEFAULTS.slotSize;
  if (!Number.isInteger(slotSize) || slotSize < BLOCK_SIZE || slotSize % BLOCK_SIZE !== 0 || slotSize > 0xffff_f000) {
    throw invalid(`slotSize must be a positive multiple of ${BLOCK_SIZE}, got ${String(slotSize)}`);
  }
  const rebootMs = opts.rebootMs ?? HUB_DEFAULTS.rebootMs;
  if (!(rebootMs >= 0)) throw invalid(`rebootMs must be 0 or more, got ${String(rebootMs)}`);
  const identity = resolveIdentity(opts.identity, makeTestIdentity(0));
  const factoryImage = opts.factoryImage ?? placeholderFirmware(identity);
  if (factoryImage.length > slotSize || factoryImage.length === 0) {
    throw invalid(`factoryImage is ${factoryImage.length} bytes; it must be 1 to ${slotSize} (the slot size)`);
  }
  const runningVersion = opts.runningVersion ?? versionOf(factoryImage) ?? 1;
  if (!Number.isInteger(runningVersion) || runningVersion < 0 || runningVersion > 0xffff_ffff) {
    throw invalid(`runningVersion must be a 4-byte unsigned number, got ${String(runningVersion)}`);
  }
  return {
    identity,
    trustedKeys: [...opts.trustedKeys],
    factoryImage,
    runningVersion,
    flash: { ...FLASH_DEFAULTS, ...opts.flash },
    rebootMs,
    maxFrame,
    bufferBytes,
    slotSize,
    faults: opts.faults ?? {},
    stateDir: opts.stateDir,
    seed: (opts.seed ?? 1) >>> 0,
    clock: opts.clock ?? realClock,
  };
}

/**
 * Receive buffers at an agreed frame size: the RAM buffer over the data one WRITE carries, at
 * least 2, and always enough for a whole block plus one frame so a block can complete.
 */
export function creditsFor(bufferBytes: number, agreedFrame: number): number {
  const data = writeDataBytes(Math.max(agreedFrame, WRITE_OVERHEAD_BYTES + 1));
  return Math.max(2, Math.floor(bufferBytes / data), Math.ceil(BLOCK_SIZE / data) + 1);
}

function versionOf(image: Uint8Array): number | undefined {
  try {
    return parseImage(image).header.fileVersion;
  } catch {
    return undefined; // not a manufacturer image: the caller's default applies
  }
}

/** Stand-in firmware when none is given: deterministic bytes per hub, so its hash is stable. */
function placeholderFirmware(identity: HubIdentity): Uint8Array {
  const seed = createHash('sha256').update(`factory firmware ${identity.chfId}`).digest();
  const out = Buffer.alloc(BLOCK_SIZE);
  for (let i = 0; i < out.length; i += seed.length) seed.copy(out, i);
  return out;
}

function invalid(message: string): HubflashError {
  return new HubflashError(ErrorCode.SimInvalidOption, message);
}
