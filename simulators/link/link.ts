import { realClock, type Clock } from '../clock/clock.ts';
import type { ByteFaults } from '../faults/types.ts';
import type { HubPort, SimulatedHub } from '../hub/SimulatedHub.ts';
import { deriveSeed, Random } from '../random.ts';
import { PacedPipe } from './pacedPipe.ts';

/** How the line between host and hub behaves. */
export interface LinkOptions {
  /** Serial rate, 8N1: baud/10 bytes per second each way. */
  baud: number;
  /** Overrides the serial rate (USB bulk), bytes per second each way. */
  bytesPerSec?: number;
  /** Adapter latency, each way. */
  latencyMs: number;
  /** Line noise, added to the hub's own line faults. */
  toHub?: ByteFaults;
  toHost?: ByteFaults;
  /** Seeds the line noise; default: the hub's seed. */
  seed?: number;
  /** Default: the hub's clock. */
  clock?: Clock;
}

export const LINK_DEFAULTS: Readonly<LinkOptions> = Object.freeze({ baud: 115_200, latencyMs: 2 });

/** Zero link delays, for unit tests. */
export const LINK_INSTANT: Readonly<LinkOptions> = Object.freeze({ baud: Infinity, latencyMs: 0 });

/**
 * Both directions of the line between a host and a hub's port: paced, delayed, noisy as set. A
 * stall fault on the hub stalls both directions. `close()` drops what is in flight and detaches.
 */
export class HubLink {
  readonly toHub: PacedPipe;
  readonly toHost: PacedPipe;
  private readonly port: HubPort;
  private readonly onStall = (ms: number): void => {
    this.toHub.stall(ms);
    this.toHost.stall(ms);
  };

  constructor(
    readonly hub: SimulatedHub,
    options: Partial<LinkOptions>,
    deliverToHost: (bytes: Buffer) => void,
    /** Told as bytes reach the hub, just before it handles them (a USB transfer completes there). */
    reachedHub?: () => void,
  ) {
    // Options left undefined keep their defaults (a spread alone would blank them).
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<LinkOptions>;
    const o = { ...LINK_DEFAULTS, ...given };
    const clock = o.clock ?? hub.clock ?? realClock;
    const bytesPerSec = o.bytesPerSec ?? o.baud / 10;
    const seed = o.seed ?? hub.opts.seed;
    const faults = hub.opts.faults;
    this.port = hub.attach((bytes) => this.toHost.write(bytes));
    this.toHub = new PacedPipe({
      clock,
      bytesPerSec,
      latencyMs: o.latencyMs,
      faults: { ...faults.toHub, ...o.toHub },
      rng: new Random(deriveSeed(seed, 2)),
      deliver: (bytes) => {
        reachedHub?.();
        this.port.receive(bytes);
      },
    });
    this.toHost = new PacedPipe({
      clock,
      bytesPerSec,
      latencyMs: o.latencyMs,
      faults: { ...faults.toHost, ...o.toHost },
      rng: new Random(deriveSeed(seed, 3)),
      deliver: deliverToHost,
    });
    hub.on('stall', this.onStall);
  }

  /** Bytes the host wrote. */
  fromHost(bytes: Uint8Array): void {
    this.toHub.write(bytes);
  }

  close(): void {
    this.hub.off('stall', this.onStall);
    this.port.detach();
    this.toHub.close();
    this.toHost.close();
  }
}
