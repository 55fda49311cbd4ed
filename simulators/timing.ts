import { FLASH_INSTANT, type FlashTiming } from './flash/timing.ts';
import { LINK_INSTANT, type LinkOptions } from './link/link.ts';

/**
 * Zero delays everywhere, for tests that must run in milliseconds: no flash time, an instant
 * line, no reboot silence, and a hub that comes back at once after an injected power loss.
 */
export function fastTiming(): { flash: FlashTiming; link: LinkOptions; rebootMs: number; powerOnDelayMs: number } {
  return { flash: { ...FLASH_INSTANT }, link: { ...LINK_INSTANT }, rebootMs: 0, powerOnDelayMs: 0 };
}
