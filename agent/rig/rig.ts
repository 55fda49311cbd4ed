import { EventEmitter } from 'node:events';
import PQueue from 'p-queue';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { IdentifyReply } from '../../protocol/messages/index.ts';
import type { LinkOptions } from '../link/index.ts';
import { silentLogger, type AgentLogger } from '../log.ts';
import {
  MemoryStore,
  probeHub,
  type FlashImage,
  type FlashResult,
  type SessionPolicy,
  type SessionProgress,
  type SessionStore,
} from '../session/index.ts';
import { createTransport, portName, type PortRef, type Transport } from '../transport/index.ts';
import type { Discovery } from './discovery/index.ts';
import { flashHub } from './flashHub.ts';

export interface RigOptions {
  /** The image every flash uses unless `flash` is given another (a daemon flashes per-job images). */
  image?: FlashImage;
  /** Resume points (the Journal); default in memory. */
  journal?: SessionStore;
  /** Hubs flashed at once. */
  concurrency?: number;
  /** How long a hub whose port closed may take to reappear (on any port) before it is given up. */
  reappearMs?: number;
  signal?: AbortSignal;
  logger?: AgentLogger;
  policy?: Partial<SessionPolicy>;
  link?: LinkOptions;
}

export interface RigEvents {
  progress: [progress: SessionProgress];
  result: [result: FlashResult];
  /** A hub's port closed mid-flash; the rig waits for it on any port. */
  'hub-waiting': [info: { chfId: string; port: string }];
  /** A waiting hub appeared on a port and its flash continues there. */
  'hub-resumed': [info: { chfId: string; port: string }];
  /** A port appeared with a hub that nothing is waiting for. */
  'hub-appeared': [info: { port: PortRef; hub: IdentifyReply }];
}

interface Waiting {
  resolve: (found: { port: PortRef; transport: Transport } | undefined) => void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_REAPPEAR_MS = 30_000;

/**
 * Runs many hubs' flashes at once, at most `concurrency` at a time. Each hub's session is
 * independent: a slow or failing hub only holds its own slot. A hub whose port closes
 * mid-flash gives its slot back and waits; when it appears on any port (same CHF ID after
 * IDENTIFY) its flash resumes there from the hub's own offset.
 */
export class Rig extends EventEmitter<RigEvents> {
  readonly image: FlashImage | undefined;
  private readonly queue: PQueue;
  private readonly store: SessionStore;
  private readonly log: AgentLogger;
  private readonly waiting = new Map<string, Waiting>();
  /** Ports with a session or probe on them. */
  private readonly busy = new Set<string>();
  /** Ports discovery reported and that have not gone: candidates for a waiting hub. */
  private readonly known = new Map<string, PortRef>();

  constructor(private readonly o: RigOptions) {
    super();
    const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new HubflashError(ErrorCode.RigOptionInvalid, `Concurrency must be a whole number of at least 1, got ${String(concurrency)}`, { concurrency });
    }
    this.image = o.image;
    this.queue = new PQueue({ concurrency });
    this.store = o.journal ?? new MemoryStore();
    this.log = o.logger ?? silentLogger;
  }

  /** Sessions running now and the limit. */
  get slots(): { total: number; busy: number } {
    return { total: this.queue.concurrency, busy: this.queue.pending };
  }

  /**
   * Flashes the hub on this port with `image` (default: the rig's), following it to another port
   * if it moves; resolves with its final result. `expectedChfId` refuses any other hub on the port.
   */
  async flash(port: PortRef, image = this.image, expectedChfId?: string): Promise<FlashResult> {
    if (!image) throw new HubflashError(ErrorCode.RigOptionInvalid, 'No image to flash: give the rig an image or pass one to flash()', {});
    let result = await this.queue.add(() => this.attempt(port, image, undefined, expectedChfId));
    while (result.outcome === 'failed' && result.error?.name === 'LinkClosed' && result.hub && !this.o.signal?.aborted) {
      const chfId = result.hub.chfId;
      this.emit('hub-waiting', { chfId, port: result.port });
      const found = await this.waitFor(chfId);
      if (!found) {
        const error = this.o.signal?.aborted
          ? new HubflashError(ErrorCode.SessionAborted, `The flash of hub ${chfId} was cancelled while it was away from its port; flash again to resume`, { chfId })
          : lost(chfId, result, this.o.reappearMs ?? DEFAULT_REAPPEAR_MS);
        result = { ...result, error: error.toJSON() };
        break;
      }
      this.emit('hub-resumed', { chfId, port: portName(found.port) });
      result = await this.queue.add(() => this.attempt(found.port, image, found.transport, chfId), { priority: 1 });
    }
    this.emit('result', result);
    return result;
  }

  /** Flashes every port given; resolves when all have a final result, in the order given. */
  flashAll(ports: PortRef[]): Promise<FlashResult[]> {
    return Promise.all(ports.map((p) => this.flash(p)));
  }

  /** Tells the rig a port appeared (discovery does this): a waiting hub may be on it. */
  portAppeared(port: PortRef): void {
    const name = portName(port);
    this.known.set(name, port);
    if (this.busy.has(name)) return;
    if (this.waiting.size === 0 && this.listenerCount('hub-appeared') === 0) return;
    void this.probe(port, true);
  }

  portDisappeared(port: PortRef): void {
    this.known.delete(portName(port));
  }

  /** Follows a discovery's events; returns a function that stops following. */
  attach(discovery: Discovery): () => void {
    const appeared = (p: PortRef): void => this.portAppeared(p);
    const gone = (p: PortRef): void => this.portDisappeared(p);
    discovery.on('hub-port-appeared', appeared).on('hub-port-disappeared', gone);
    for (const p of discovery.current()) this.portAppeared(p);
    return () => void discovery.off('hub-port-appeared', appeared).off('hub-port-disappeared', gone);
  }

  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  private async attempt(port: PortRef, image: FlashImage, transport?: Transport, expectedChfId?: string): Promise<FlashResult> {
    const name = portName(port);
    this.busy.add(name);
    try {
      return await flashHub({
        port,
        ...(transport ? { transport } : {}),
        image,
        journal: this.store,
        onProgress: (p) => this.emit('progress', p),
        logger: this.log,
        ...(expectedChfId ? { expectedChfId } : {}),
        ...(this.o.signal ? { signal: this.o.signal } : {}),
        ...(this.o.policy ? { policy: this.o.policy } : {}),
        ...(this.o.link ? { link: this.o.link } : {}),
      });
    } finally {
      this.busy.delete(name);
    }
  }

  private waitFor(chfId: string): Promise<{ port: PortRef; transport: Transport } | undefined> {
    return new Promise((resolve) => {
      const done = (found: { port: PortRef; transport: Transport } | undefined): void => {
        clearTimeout(timer);
        this.o.signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(chfId);
        resolve(found);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), this.o.reappearMs ?? DEFAULT_REAPPEAR_MS);
      this.waiting.set(chfId, { resolve: done, timer });
      // Cancelled already (e.g. by a 'hub-waiting' listener): 'abort' will not fire again.
      if (this.o.signal?.aborted) return done(undefined);
      this.o.signal?.addEventListener('abort', onAbort, { once: true });
      // It may already be back on a port seen before its old one closed.
      for (const p of this.known.values()) if (!this.busy.has(portName(p))) void this.probe(p, false);
    });
  }

  /** Who is on this port? A waiting hub resumes here; any other hub is announced if `announce`. */
  private async probe(port: PortRef, announce: boolean): Promise<void> {
    const name = portName(port);
    if (this.busy.has(name)) return;
    this.busy.add(name);
    const transport = createTransport(port);
    let handedOver = false;
    try {
      const hub = await probeHub(transport, this.o.link);
      const w = this.waiting.get(hub.chfId);
      if (w) {
        handedOver = true;
        this.busy.delete(name); // the resumed attempt marks it busy again
        w.resolve({ port, transport });
      } else if (announce) {
        this.emit('hub-appeared', { port, hub });
      }
    } catch (err) {
      this.log.debug({ port: name, err }, 'no hub answered on a port that appeared');
    } finally {
      if (!handedOver) {
        this.busy.delete(name);
        await transport.close().catch(() => {});
      }
    }
  }
}

function lost(chfId: string, result: FlashResult, waitedMs: number): HubflashError {
  return new HubflashError(
    ErrorCode.HubLost,
    `Hub ${chfId} left ${result.port} mid-flash and did not come back within ${Math.round(waitedMs / 1000)} s; reconnect it and flash again to resume`,
    { chfId, port: result.port, committedOffset: result.error?.context?.committedOffset },
  );
}
