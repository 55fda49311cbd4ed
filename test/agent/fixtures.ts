import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { prepareImage, type FlashImage, type PortRef } from '../../agent/index.ts';
import {
  createMemoryLink,
  openPtyHub,
  type PtyHub,
  fastTiming,
  makeFirmwareImage,
  makeManufacturerKey,
  makeTestIdentity,
  SimulatedHub,
  type HubFaults,
  type ManufacturerKey,
  type SimulatedHubOptions,
} from '../../simulators/index.ts';

/** One manufacturer key and images for the whole test file (key generation is the slow part). */
export interface Firmware {
  key: ManufacturerKey;
  /** What the hubs run from the factory: version 1. */
  factory: Uint8Array;
  /** The upgrade the tests flash: version 2, upgradeable from 1. */
  upgrade: Uint8Array;
  image: FlashImage;
}

export function makeFirmware(payloadBytes = 64 * 1024): Firmware {
  const key = makeManufacturerKey();
  const factory = makeFirmwareImage({ privateKeyPem: key.privateKeyPem, version: 0x01000000, payloadBytes: 8 * 1024 });
  const upgrade = makeFirmwareImage({ privateKeyPem: key.privateKeyPem, version: 0x02000000, payloadBytes, upgradeableFrom: [0x01000000] });
  return { key, factory, upgrade, image: prepareImage(upgrade, [key.publicKeyPem]) };
}

/** A hub with fast (zero-delay) flash and reboot, running the factory image. */
export function makeHub(fw: Firmware, index = 0, options: Partial<SimulatedHubOptions> & { faults?: HubFaults } = {}): SimulatedHub {
  const t = fastTiming();
  return new SimulatedHub({
    identity: makeTestIdentity(index),
    trustedKeys: [fw.key.publicKeyPem],
    factoryImage: fw.factory,
    flash: t.flash,
    rebootMs: 20,
    seed: index + 1,
    ...options,
    faults: { powerOnDelayMs: 20, reenumerateMs: 20, ...options.faults },
  });
}

/** The hub on an in-memory line at a fast serial rate (so pipelining is real, but quick). */
export function memoryPort(hub: SimulatedHub, baud = 2_000_000): { port: PortRef; close(): void } {
  const link = createMemoryLink(hub, { baud, latencyMs: 1 });
  return { port: { kind: 'stream', stream: link.host, name: `mem:${hub.identity.chfId}`, bytesPerSecond: baud / 10, latencyMs: 1 }, close: () => link.close() };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The line the pty tests use: paced like a fast serial adapter, so pipelining is real but quick. */
export const PTY_LINE = { baud: 4_000_000, latencyMs: 1 } as const;

/** Hubs on pseudo-terminals, and a serial port lister that sees exactly the ptys that are up. */
export async function ptyHubs(hubs: SimulatedHub[], line: { baud: number; latencyMs: number } = PTY_LINE): Promise<{ ptys: PtyHub[]; ports: PortRef[]; list: () => Promise<Array<{ path: string; vendorId: string; productId: string }>>; close(): Promise<void> }> {
  const ptys = await Promise.all(hubs.map((h) => openPtyHub(h, line)));
  return {
    ptys,
    ports: ptys.map((p) => ({ kind: 'serial', path: p.path, baudRate: line.baud })),
    list: async () => ptys.filter((p) => p.connected).map((p) => ({ path: p.path, vendorId: '1d50', productId: '6018' })),
    close: async () => {
      await Promise.all(ptys.map((p) => p.close()));
    },
  };
}

/** The USB IDs ptyHubs' lister reports. */
export const PTY_USB_ID = { vendorId: 0x1d50, productId: 0x6018 };

/**
 * Things for the test to close (lines, hubs, transports), run last first after each test, or
 * with `'file'` after the whole file (for tests that run at once, each with its own).
 */
export function cleanupList(after: 'each' | 'file' = 'each'): Array<() => void> {
  const cleanups: Array<() => void> = [];
  (after === 'each' ? afterEach : afterAll)(() => {
    while (cleanups.length) cleanups.pop()!();
  });
  return cleanups;
}
