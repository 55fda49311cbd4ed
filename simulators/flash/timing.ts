/**
 * Flash geometry and timing. Defaults are the typical figures of a common SPI NOR part, the
 * Winbond W25Q128JV datasheet, table "AC Electrical Characteristics":
 * tSE (4 KiB sector erase) 45 ms typical (400 ms max), tPP (256 B page program) 0.4 ms typical
 * (3 ms max), Fast Read (0Bh) at 133 MHz on one data line = 16.6 MB/s.
 */
export const BLOCK_SIZE = 4096;
export const PAGE_SIZE = 256;
export const PAGES_PER_BLOCK = BLOCK_SIZE / PAGE_SIZE;

export interface FlashTiming {
  /** One 4 KiB sector erase. */
  eraseMs: number;
  /** One 256 B page program (a short page takes as long). */
  programMs: number;
  /** One settings-page write: a page program of the new settings copy. */
  settingsWriteMs: number;
  /** Reading back (VERIFY, the bootloader's checks), bytes per second. */
  readBytesPerSec: number;
  /** The bootloader's ECDSA P-256 signature check on the hub's MCU. */
  signatureCheckMs: number;
}

export const FLASH_DEFAULTS: Readonly<FlashTiming> = Object.freeze({
  eraseMs: 45,
  programMs: 0.4,
  settingsWriteMs: 0.4,
  readBytesPerSec: 16_600_000,
  // Software ECDSA P-256 verify on a Cortex-M4 at ~100 MHz takes tens of milliseconds.
  signatureCheckMs: 30,
});

/** Zero flash delays, for unit tests that must run in milliseconds. */
export const FLASH_INSTANT: Readonly<FlashTiming> = Object.freeze({
  eraseMs: 0,
  programMs: 0,
  settingsWriteMs: 0,
  readBytesPerSec: Infinity,
  signatureCheckMs: 0,
});

export function readMs(timing: FlashTiming, bytes: number): number {
  return timing.readBytesPerSec === Infinity ? 0 : (bytes / timing.readBytesPerSec) * 1000;
}

/** Erase plus program of one whole block: the flash's cost per 4 KiB of image. */
export function blockWriteMs(timing: FlashTiming): number {
  return timing.eraseMs + PAGES_PER_BLOCK * timing.programMs;
}
