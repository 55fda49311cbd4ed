import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { Clock } from '../clock/clock.ts';
import { faultsForHub, parseFaultSpec } from '../faults/parse.ts';
import type { HubFaults } from '../faults/types.ts';
import type { FlashTiming } from '../flash/timing.ts';
import { makeTestIdentity, type HubIdentity } from '../hub/identity.ts';
import { SimulatedHub } from '../hub/SimulatedHub.ts';
import { deriveSeed } from '../random.ts';
import { openPtyHub, type PtyHub } from '../transport/pty.ts';
import { makeFirmwareImage, makeManufacturerKey } from './firmware.ts';
import { loadOrCreateManufacturerKey, type StoredManufacturerKey } from './keys.ts';

export interface FleetOptions {
  count: number;
  baud?: number;
  latencyMs?: number;
  /** A `--faults` spec, or its parsed form. */
  faults?: string | ReadonlyMap<number | '*', HubFaults>;
  /** Keeps every hub (hub-000, hub-001, …) and the generated manufacturer key here. */
  stateDir?: string;
  /** PEM public keys the hubs trust; default: the fleet's own (generated or kept) manufacturer key. */
  trustedKeys?: string[];
  /** Signs the factory images; default: the fleet's manufacturer key, or a throwaway one when trustedKeys are given. */
  signingKeyPem?: string;
  /** Every hub's running image at first power-on; default: one built and signed here. */
  factoryImage?: Uint8Array;
  factoryVersion?: number;
  /** Identity fields for every hub, over makeTestIdentity(index). */
  identity?: Partial<HubIdentity> | ((index: number) => Partial<HubIdentity>);
  flash?: Partial<FlashTiming>;
  rebootMs?: number;
  maxFrame?: number;
  bufferBytes?: number;
  slotSize?: number;
  seed?: number;
  clock?: Clock;
  /** 'pty' (default): each hub on its own pseudo-terminal; 'none': hubs only, for in-memory or USB links. */
  transport?: 'pty' | 'none';
}

export interface FleetHub {
  index: number;
  /** The hub's current pseudo-terminal ('' without one); changes when it re-enumerates. */
  readonly path: string;
  identity: HubIdentity;
  hub: SimulatedHub;
  pty?: PtyHub;
}

export interface SimulatedFleet {
  hubs: FleetHub[];
  /** The key the hubs trust when none was given (its private half signs test upgrades). */
  manufacturerKey?: StoredManufacturerKey;
  trustedKeys: string[];
  /** 'reenumerated' ({ index, path }), and each hub's 'power-cut', 'power-on', 'activated', 'confirmed', 'boot-failed' as { index, ... }. */
  events: EventEmitter;
  stop(): Promise<void>;
}

const FORWARDED = ['power-cut', 'power-on', 'activated', 'confirmed', 'boot-failed'] as const;
export const DEFAULT_FACTORY_VERSION = 0x01000000;

/** Starts `count` simulated hubs, each on a pseudo-terminal unless told otherwise. */
export async function startSimulatedHubs(opts: FleetOptions): Promise<SimulatedFleet> {
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 4096) {
    throw new HubflashError(ErrorCode.SimInvalidOption, `count must be 1 to 4096 hubs, got ${String(opts.count)}`);
  }
  const faults = typeof opts.faults === 'string' ? parseFaultSpec(opts.faults) : (opts.faults ?? new Map());
  for (const target of faults.keys()) {
    if (target !== '*' && target >= opts.count) {
      throw new HubflashError(ErrorCode.SimFaultSpecInvalid, `Fault spec names hub ${target}, but hubs are numbered 0 to ${opts.count - 1}`);
    }
  }
  const manufacturerKey = opts.trustedKeys ? undefined : loadOrCreateManufacturerKey(opts.stateDir);
  const trustedKeys = opts.trustedKeys ?? [manufacturerKey!.publicKeyPem];
  const signingKeyPem = opts.signingKeyPem ?? manufacturerKey?.privateKeyPem ?? makeManufacturerKey().privateKeyPem;
  const identityOf = (i: number): HubIdentity => ({ ...makeTestIdentity(i), ...(typeof opts.identity === 'function' ? opts.identity(i) : opts.identity) });
  const factories = new Map<string, Uint8Array>();
  const factoryFor = (id: HubIdentity): Uint8Array => {
    if (opts.factoryImage) return opts.factoryImage;
    const k = `${id.manufacturerCode}/${id.imageType}/${id.hardwareVersion}`;
    let image = factories.get(k);
    if (!image) {
      const version = opts.factoryVersion ?? DEFAULT_FACTORY_VERSION;
      const hw = { min: id.hardwareVersion, max: id.hardwareVersion };
      image = makeFirmwareImage({ privateKeyPem: signingKeyPem, version, manufacturerCode: id.manufacturerCode, imageType: id.imageType, hardware: hw, seed: `factory ${version}` });
      factories.set(k, image);
    }
    return image;
  };

  const events = new EventEmitter();
  const hubs: FleetHub[] = [];
  try {
    for (let index = 0; index < opts.count; index++) {
      const identity = identityOf(index);
      const hub = new SimulatedHub({
        identity,
        trustedKeys,
        factoryImage: factoryFor(identity),
        flash: opts.flash,
        rebootMs: opts.rebootMs,
        maxFrame: opts.maxFrame,
        bufferBytes: opts.bufferBytes,
        slotSize: opts.slotSize,
        faults: faultsForHub(faults, index),
        stateDir: opts.stateDir === undefined ? undefined : path.join(opts.stateDir, `hub-${String(index).padStart(3, '0')}`),
        seed: deriveSeed(opts.seed ?? 1, index),
        clock: opts.clock,
      });
      for (const name of FORWARDED) hub.on(name, (info?: object) => events.emit(name, { index, ...info }));
      const pty = opts.transport === 'none' ? undefined : await openPtyHub(hub, { baud: opts.baud, latencyMs: opts.latencyMs });
      pty?.on('reenumerated', (p: string) => events.emit('reenumerated', { index, path: p }));
      hubs.push({ index, identity: hub.identity, hub, pty, get path() { return pty?.path ?? ''; } });
    }
  } catch (err) {
    await stopAll(hubs);
    throw err;
  }
  return { hubs, manufacturerKey, trustedKeys, events, stop: () => stopAll(hubs) };
}

async function stopAll(hubs: FleetHub[]): Promise<void> {
  for (const h of hubs) {
    await h.pty?.close();
    h.hub.close();
  }
}
