import { readFileSync } from 'node:fs';
import type { EventLoopUtilization } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { rigCommandTopic } from '../protocol/mqtt/index.ts';
import { Broker, type BrokerEvents } from './broker/Broker.ts';
import { resolveServerConfig, type ServerConfig, type ServerConfigInput } from './config/config.ts';
import type { PortablePlugin, ServerContext, ServerPlugin } from './context.ts';
import { CoreThread } from './core/CoreThread.ts';
import { CredentialStore } from './datadir/CredentialStore.ts';
import type { Store } from './storage/Store.ts';

export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string }
).version;

export interface CreateServerOptions {
  /** Persistence; default: LevelDB in `{dataDir}/db`. */
  store?: Store;
  logger?: Logger;
  plugins?: ServerPlugin[];
}

export interface ServerAddresses {
  http: number;
  mqtt: number;
  mqtts?: number;
  ws?: number;
}

export interface HubflashServer {
  readonly config: ServerConfig;
  /** Opens storage, sets up plugins, re-applies results left pending, then listens. */
  start(): Promise<ServerAddresses>;
  /** Stops listening, finishes results in flight, closes storage. */
  stop(): Promise<void>;
  /**
   * The server's parts, once started. With the storage thread, only `config`, `log` and
   * `sendToRig` (the others live in that thread and throw here).
   */
  readonly context: ServerContext;
  readonly addresses: ServerAddresses | undefined;
  /** How busy the storage thread has been (since `previous`); undefined when there is none. */
  storageThreadUtilization(previous?: EventLoopUtilization): EventLoopUtilization | undefined;
}

/** The storage thread's parts: what `context` cannot give on the main thread. */
const STORAGE_PARTS = ['store', 'inventory', 'catalogue', 'audit', 'credentials', 'presence', 'stats', 'hooks', 'results'] as const;

/**
 * `server.context` when storage runs in its own thread: what lives on this thread (the config,
 * the logger, commands to rigs through the broker); the other parts throw, naming the way out.
 */
function mainThreadContext(config: ServerConfig, log: Logger, sendToRig: ServerContext['sendToRig']): ServerContext {
  const context = { config, log, sendToRig } as ServerContext;
  for (const part of STORAGE_PARTS) {
    Object.defineProperty(context, part, {
      get() {
        throw new Error(`server.context.${part} lives in the storage thread: use the API, or run the server on one thread (storageThread: false)`);
      },
    });
  }
  return context;
}

/**
 * The central server: broker → ingest → domain → API, over one Store. Embeddable: ports 0 pick
 * free ports, the data dir is configurable, persistence and plugins are injected.
 *
 * Two threads when it can (`storageThread`, the default): the broker (MQTT sockets, parsing,
 * authentication, access rules) on this thread, and storage with ingest, the domain, the
 * plugins and the HTTP API in a worker thread (server/core/). One thread when given a `store`
 * or a plugin without `portable`, or with `storageThread: false`; only then are all the parts
 * in `context` reachable here.
 */
export function createServer(input: ServerConfigInput | ServerConfig = {}, options: CreateServerOptions = {}): HubflashServer {
  const config = resolveServerConfig(input);
  const log = options.logger ?? pino({ level: config.log.level });
  const plugins = options.plugins ?? [];
  const portable = plugins.map((p) => p.portable).filter((p): p is PortablePlugin => p !== undefined);
  const threaded = config.storageThread && options.store === undefined && portable.length === plugins.length;
  let ctx: ServerContext | undefined;
  let addresses: ServerAddresses | undefined;
  let stopParts: (() => Promise<void>) | undefined;
  let thread: CoreThread | undefined;

  return {
    config,
    get context() {
      if (!ctx) throw new Error('the server is not started');
      return ctx;
    },
    get addresses() {
      return addresses;
    },
    async start() {
      // The broker exists once the core is up (recovery publishes nothing); it listens last.
      let broker: Broker | undefined;
      const publish = (topic: string, payload: Buffer): Promise<void> => (broker ? broker.publish(topic, payload) : Promise.resolve());
      let events: BrokerEvents;
      let stopCore: () => Promise<void>;
      let http: number;
      if (threaded) {
        const failed = (err: Error): void => {
          log.fatal({ err }, 'the storage thread failed');
          throw err; // as a failure of storage on this thread would
        };
        const started = await CoreThread.start({ config, plugins: portable, version: SERVER_VERSION, ...(options.logger ? { logger: options.logger } : {}), log, publish, failed });
        thread = started.thread;
        ctx = mainThreadContext(config, log, (rigId, kind, payload) => publish(rigCommandTopic(rigId, kind), payload));
        ({ http } = started);
        events = started.thread.events;
        stopCore = () => started.thread.stop();
      } else {
        // Loaded only here: with the storage thread, this thread needs none of it.
        const { startCore } = await import('./core/startCore.ts');
        const core = await startCore(config, { ...(options.store ? { store: options.store } : {}), log, plugins, version: SERVER_VERSION, publish });
        ({ http, events } = core);
        ctx = core.context;
        stopCore = () => core.stop();
      }
      const running = new Broker(config.mqtt, CredentialStore.inDataDir(config.dataDir, config.tokens), events, log.child({ part: 'mqtt' }));
      broker = running;
      try {
        addresses = { http, ...(await running.listen(config.mqtt.host)) };
      } catch (err) {
        await running.close();
        await stopCore();
        throw err;
      }
      stopParts = async () => {
        await running.close();
        await stopCore();
        log.info({ dataDir: config.dataDir }, 'hubflash server stopped: results in flight stored, storage closed');
      };
      log.info({ ...addresses, dataDir: config.dataDir, threads: threaded ? 2 : 1 }, 'hubflash server listening');
      return addresses;
    },
    storageThreadUtilization(previous) {
      return thread?.eventLoopUtilization(previous);
    },
    async stop() {
      const stop = stopParts;
      stopParts = undefined;
      await stop?.();
    },
  };
}
