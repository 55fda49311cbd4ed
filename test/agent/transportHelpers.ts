import { afterEach, beforeAll } from 'vitest';
import { Link, type Transport } from '../../agent/index.ts';
import type { HubflashError } from '../../protocol/errors/index.ts';
import { makeFirmware, type Firmware } from './fixtures.ts';

/** One small firmware for the file, and clean-ups run (last first) after each test. */
export function transportSuite(): { firmware: () => Firmware; cleanups: Array<() => void | Promise<void>> } {
  let fw: Firmware | undefined;
  beforeAll(() => {
    fw = makeFirmware(8 * 1024);
  });
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return { firmware: () => fw!, cleanups };
}

/** The transport's next 'close' event: its error, or undefined for a close asked for. */
export function nextClose(t: Transport): Promise<HubflashError | undefined> {
  return new Promise((resolve) => t.once('close', resolve));
}

/** CONNECT over the transport through a Link, which then lets go: the bytes really go both ways. */
export async function connectOver(t: Transport): Promise<number> {
  const link = new Link(t);
  try {
    return (await link.connect()).protocolVersion;
  } finally {
    link.detach();
  }
}
