import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import {
  createMemoryLink,
  fastTiming,
  makeFirmwareImage,
  makeManufacturerKey,
  makeTestIdentity,
  SimulatedHub,
  type FirmwareOptions,
  type SimulatedHubOptions,
} from '../../../simulators/index.ts';
import type { Reply } from '../../../protocol/messages/index.ts';
import { TestHost } from './testHost.ts';

/** SHA-256 as lower-case hex: the protocol's image hash. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** One manufacturer key per test file: signing is the slow part of making images. */
export const key = makeManufacturerKey();
export const otherKey = makeManufacturerKey();

export const V1 = 0x01000000;
export const V2 = 0x02000000;

export function image(version: number, more: Partial<FirmwareOptions> = {}): Uint8Array {
  return makeFirmwareImage({ privateKeyPem: key.privateKeyPem, version, payloadBytes: 3 * 4096 + 1000, ...more });
}

export const factory = image(V1, { payloadBytes: 5000 });

/** A hub with instant flash, no reboot silence, the test key trusted, running V1. */
export function makeHub(opts: Partial<SimulatedHubOptions> = {}): SimulatedHub {
  const t = fastTiming();
  return new SimulatedHub({
    identity: makeTestIdentity(0),
    trustedKeys: [key.publicKeyPem],
    factoryImage: factory,
    flash: t.flash,
    rebootMs: 0,
    ...opts,
    faults: { powerOnDelayMs: 0, ...opts.faults },
  });
}

/** A test host on an instant in-memory line to the hub. */
export function hostFor(hub: SimulatedHub): TestHost {
  return new TestHost(createMemoryLink(hub, fastTiming().link).host);
}

/** Resolves on the event, or fails after `ms`. */
export function once<T = unknown>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Polls until `check` holds, or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const rigs: Array<{ hub: SimulatedHub; host: TestHost }> = [];

/** A hub (makeHub) with a host on it, closed by closeRigs() (call it in afterEach). */
export function rig(opts: Partial<SimulatedHubOptions> = {}): { hub: SimulatedHub; host: TestHost } {
  const hub = makeHub(opts);
  const r = { hub, host: hostFor(hub) };
  rigs.push(r);
  return r;
}

export function closeRigs(): void {
  for (const r of rigs.splice(0)) {
    r.host.close();
    r.hub.close();
  }
}

/** The replies received since index `from`, once a STATUS round trip has ordered everything before it (its own reply left out). */
export async function repliesSince(host: TestHost, from: number): Promise<Reply[]> {
  await host.request({ kind: 'status' });
  return host.replies.slice(from).filter((r) => r.kind !== 'status-reply');
}
