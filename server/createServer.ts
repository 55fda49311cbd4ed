import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { rigCommandTopic } from '../protocol/mqtt/index.ts';
import { buildApi } from './api/app.ts';
import type { RouteSpec } from './api/route.ts';
import { auditRoutes } from './api/routes/audit.ts';
import { deviceRoutes } from './api/routes/devices.ts';
import { firmwareRoutes } from './api/routes/firmware.ts';
import { healthRoutes } from './api/routes/health.ts';
import { resultRoutes } from './api/routes/results.ts';
import { rigRoutes } from './api/routes/rigs.ts';
import { AuditLog } from './audit/AuditLog.ts';
import { Broker } from './broker/Broker.ts';
import { resolveServerConfig, type ServerConfig, type ServerConfigInput } from './config/config.ts';
import type { ServerContext, ServerPlugin } from './context.ts';
import { CredentialStore } from './datadir/CredentialStore.ts';
import { Catalogue } from './domain/catalogue/Catalogue.ts';
import { ImageFiles } from './domain/catalogue/ImageFiles.ts';
import { Inventory } from './domain/inventory/Inventory.ts';
import { Presence } from './domain/rigs/Presence.ts';
import { ServerHooks } from './hooks.ts';
import { Ingest } from './ingest/Ingest.ts';
import { IngestStats } from './ingest/IngestStats.ts';
import { ResultIngest } from './ingest/ResultIngest.ts';
import { LevelStore } from './storage/LevelStore.ts';
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
  /** The server's parts; available once started. */
  readonly context: ServerContext;
  readonly addresses: ServerAddresses | undefined;
}

/**
 * The central server: broker → ingest → domain → API, over one Store. Embeddable: ports 0 pick
 * free ports, the data dir is configurable, persistence and plugins are injected.
 */
export function createServer(input: ServerConfigInput | ServerConfig = {}, options: CreateServerOptions = {}): HubflashServer {
  const config = resolveServerConfig(input);
  const log = options.logger ?? pino({ level: config.log.level });
  let ctx: ServerContext | undefined;
  let addresses: ServerAddresses | undefined;
  let stopParts: (() => Promise<void>) | undefined;

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
      mkdirSync(config.dataDir, { recursive: true });
      const store = options.store ?? (await LevelStore.open(path.join(config.dataDir, 'db'), { cacheSize: config.storage.cacheSizeMiB << 20, writeBufferSize: config.storage.writeBufferSizeMiB << 20 }));
      const audit = AuditLog.inDataDir(config.dataDir);
      const credentials = CredentialStore.inDataDir(config.dataDir, config.tokens);
      const inventory = new Inventory(store);
      await inventory.open();
      const presence = new Presence(store, config.presence.staleAfterMs);
      await presence.open();
      const catalogue = new Catalogue(store, new ImageFiles(path.join(config.dataDir, 'images')), audit, config.trustedManufacturerKeys);
      const stats = new IngestStats();
      const hooks = new ServerHooks();
      let broker: Broker | undefined;
      const publish = (topic: string, payload: Buffer): Promise<void> => (broker ? broker.publish(topic, payload) : Promise.resolve());
      const results = new ResultIngest({
        store,
        inventory,
        catalogue,
        audit,
        hooks,
        stats,
        log,
        maxGroupSize: config.ingest.maxGroupSize,
        publish,
        finished: (rigId, chfId) => presence.finished(rigId, chfId),
      });
      const ingest = new Ingest(presence, results, inventory, hooks, stats, log);
      ctx = { config, log, store, inventory, catalogue, audit, credentials, presence, stats, hooks, results, sendToRig: (rigId, kind, payload) => publish(rigCommandTopic(rigId, kind), payload) };

      const routes: RouteSpec[] = [
        ...healthRoutes(ctx, SERVER_VERSION),
        ...deviceRoutes(ctx),
        ...firmwareRoutes(ctx),
        ...rigRoutes(ctx),
        ...resultRoutes(ctx),
        ...auditRoutes(ctx),
      ];
      for (const plugin of options.plugins ?? []) routes.push(...((await plugin.setup(ctx)) ?? []));
      const recovered = await results.recover();
      if (recovered > 0) log.info({ recovered }, 're-applied results stored before a crash');

      const app = await buildApi(routes, credentials, log, SERVER_VERSION);
      broker = new Broker(config.mqtt, credentials, {
        rigMessage: (rigId, kind, payload) => ingest.handle(rigId, kind, payload),
        rigConnected: (rigId) => presence.connection(rigId, true),
        rigDisconnected: (rigId) => presence.connection(rigId, false),
        refused: (what, who, reason) => {
          stats.refused[what]++;
          log.warn({ who, reason }, `MQTT ${what} refused`);
        },
      }, log.child({ part: 'mqtt' }));
      try {
        await app.listen({ port: config.http.port, host: config.http.host });
        const http = (app.server.address() as { port: number }).port;
        addresses = { http, ...(await broker.listen(config.mqtt.host)) };
      } catch (err) {
        await Promise.allSettled([app.close(), broker.close()]);
        await store.close();
        throw err;
      }
      const running = broker;
      stopParts = async () => {
        await running.close();
        await app.close();
        await results.idle();
        for (const plugin of options.plugins ?? []) await plugin.close?.();
        await store.close();
      };
      log.info({ ...addresses, dataDir: config.dataDir }, 'hubflash server listening');
      return addresses;
    },
    async stop() {
      const stop = stopParts;
      stopParts = undefined;
      await stop?.();
    },
  };
}
