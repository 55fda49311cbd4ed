import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { BrokerEvents } from '../broker/Broker.ts';
import { EventBatcher } from '../broker/eventBatch.ts';
import type { ServerConfig } from '../config/config.ts';
import type { PortablePlugin } from '../context.ts';
import { buildCoreBundle, type CoreBundle } from './bundle.ts';
import { fromThreadError, toThreadError, type CoreWorkerData, type FromCore, type ToCore } from './threadMessages.ts';

export interface CoreThreadOptions {
  config: ServerConfig;
  plugins: PortablePlugin[];
  version: string;
  /** The embedder's logger: the thread's log lines are written through it. Absent: the thread logs to stdout. */
  logger?: Logger;
  /** This thread's logger. */
  log: Logger;
  /** Publishes on the broker (acks, jobs). */
  publish(topic: string, payload: Buffer): Promise<void>;
  /** The thread ended after it started, not asked to (storage is gone): a ServerInternal HubflashError. */
  failed(err: HubflashError): void;
}

/**
 * The storage thread's young generation. V8 lets a busy thread's grow to 48 MiB; held to 24, a
 * million-hub import peaks about 15 MiB lower (the server's memory target is 300 MiB), with no
 * loss of throughput we could measure (bench:server: import and durable results).
 */
const YOUNG_GENERATION_MIB = 24;

const LEVEL_NAMES: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * The server's storage-owning part (startCore: storage, ingest, domain, plugins, HTTP API) in a
 * worker thread, seen from the main thread where the broker runs. The broker's events go to it
 * in batches, one message per turn of this thread's event loop, in order; its publish requests
 * come back here.
 */
export class CoreThread {
  /** Give the broker these: they reach the storage thread. */
  readonly events: BrokerEvents;
  private readonly worker: Worker;
  private readonly batcher = new EventBatcher();
  private flushing = false;
  private started: { resolve(http: number): void; reject(err: Error): void } | undefined;
  private whenStopped: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private running = false;

  private constructor(
    private readonly o: CoreThreadOptions,
    bundle: CoreBundle | undefined,
  ) {
    const plugins = bundle ? o.plugins.map((p) => ({ ...p, module: bundle.plugins[p.module]! })) : o.plugins;
    const workerData: CoreWorkerData = { config: o.config, plugins, version: o.version, forwardLogs: o.logger !== undefined, ...(bundle ? { bundle: bundle.entry.href } : {}) };
    this.worker = new Worker(new URL(bundle ? './bundled.mjs' : './worker.mjs', import.meta.url), { workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB } });
    this.worker.on('message', (m: FromCore) => this.receive(m));
    this.worker.on('error', (err) => this.ended(err));
    this.worker.on('exit', (code) => this.ended(new Error(`the storage thread exited (code ${code})`)));
    const queue = <A extends unknown[]>(record: (...args: A) => void) => (...args: A): void => {
      record(...args);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    };
    const b = this.batcher;
    this.events = {
      rigMessage: queue((rigId, kind, payload) => b.rigMessage(rigId, kind, payload)),
      rigConnected: queue((rigId) => b.rigConnected(rigId)),
      rigDisconnected: queue((rigId) => b.rigDisconnected(rigId)),
      refused: queue((what, who, reason) => b.refused(what, who, reason)),
    };
  }

  /** Starts the thread and waits for it to serve HTTP; returns the HTTP port. */
  static async start(o: CoreThreadOptions): Promise<{ thread: CoreThread; http: number }> {
    // Built code when it can be (less memory); otherwise TypeScript through tsx in the thread.
    const bundle = await buildCoreBundle(o.plugins.map((p) => p.module)).catch((err: unknown) => {
      o.log.warn({ err }, 'the storage thread loads its TypeScript through tsx: its code could not be built');
      return undefined;
    });
    const thread = new CoreThread(o, bundle);
    try {
      const http = await new Promise<number>((resolve, reject) => (thread.started = { resolve, reject }));
      thread.running = true;
      return { thread, http };
    } catch (err) {
      await thread.abort();
      throw err;
    }
  }

  /** How busy the storage thread's event loop has been (performance.eventLoopUtilization). */
  eventLoopUtilization(previous?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(previous);
  }

  private flush(): void {
    this.flushing = false;
    if (this.batcher.length === 0 || this.stopping) return;
    const batch = this.batcher.take();
    this.send({ t: 'events', batch }, [batch.bytes]);
  }

  private send(message: ToCore, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(m: FromCore): void {
    switch (m.t) {
      case 'publish':
        this.o.publish(m.topic, Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength)).then(
          () => this.send({ t: 'published', id: m.id }),
          (err: unknown) => this.send({ t: 'published', id: m.id, error: toThreadError(err) }),
        );
        return;
      case 'log':
        this.relog(m.line);
        return;
      case 'started':
        this.started?.resolve(m.http);
        return;
      case 'failed':
        this.started?.reject(fromThreadError(m.error));
        return;
      case 'stopped':
        this.whenStopped?.();
    }
  }

  /** A log line of the thread, through the embedder's logger (which adds its own time). */
  private relog(line: string): void {
    let entry: { level: number; msg?: string; [k: string]: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      this.o.logger?.info({ line }, 'storage thread');
      return;
    }
    const { level, time: _time, pid: _pid, hostname: _hostname, msg, ...fields } = entry;
    this.o.logger?.[LEVEL_NAMES[level] ?? 'info'](fields, msg ?? '');
  }

  private ended(cause: Error): void {
    this.started?.reject(cause); // while starting: start() fails
    this.whenStopped?.();
    if (this.running && !this.stopping) {
      this.stopping = Promise.resolve();
      const message = `The server's storage thread stopped unexpectedly (${cause.message}): results can no longer be stored, so the server stops. The log lines before this one say why; start the server again (rigs re-send every result not acknowledged)`;
      this.o.failed(new HubflashError(ErrorCode.ServerInternal, message, {}, { cause }));
    }
  }

  /** Delivers what the broker reported, lets the thread finish and close storage, and ends it. */
  stop(): Promise<void> {
    this.flush();
    this.stopping ??= (async () => {
      const stopped = new Promise<void>((resolve) => (this.whenStopped = resolve));
      this.send({ t: 'stop' });
      await stopped;
      await this.worker.terminate();
    })();
    return this.stopping;
  }

  /** Ends a thread that failed to start. */
  async abort(): Promise<void> {
    this.stopping ??= Promise.resolve();
    await this.worker.terminate();
  }
}
