import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { rigCommandTopic } from '../../protocol/mqtt/index.ts';
import { buildApi } from '../api/app.ts';
import type { RouteSpec } from '../api/route.ts';
import { auditRoutes } from '../api/routes/audit.ts';
import { deviceRoutes } from '../api/routes/devices.ts';
import { firmwareRoutes } from '../api/routes/firmware.ts';
import { healthRoutes } from '../api/routes/health.ts';
import { resultRoutes } from '../api/routes/results.ts';
import { rigRoutes } from '../api/routes/rigs.ts';
import { AuditLog } from '../audit/AuditLog.ts';
import type { BrokerEvents } from '../broker/Broker.ts';
import type { ServerConfig } from '../config/config.ts';
import type { ServerContext, ServerPlugin } from '../context.ts';
import { CredentialStore } from '../datadir/CredentialStore.ts';
import { Catalogue } from '../domain/catalogue/Catalogue.ts';
import { ImageFiles } from '../domain/catalogue/ImageFiles.ts';
import { Inventory } from '../domain/inventory/Inventory.ts';
import { Presence } from '../domain/rigs/Presence.ts';
import { ServerHooks } from '../hooks.ts';
import { Ingest } from '../ingest/Ingest.ts';
import { IngestStats } from '../ingest/IngestStats.ts';
import { ResultIngest } from '../ingest/ResultIngest.ts';
import { LevelStore } from '../storage/LevelStore.ts';
import type { Store } from '../storage/Store.ts';

export interface CoreOptions {
  /** Persistence; default: LevelDB in `{dataDir}/db`. */
  store?: Store;
  log: Logger;
  plugins: readonly ServerPlugin[];
  version: string;
  /** Publishes on the broker, on behalf of the server (acks, jobs). */
  publish(topic: string, payload: Buffer): Promise<void>;
}

/** The storage-owning part of the server, started and listening for HTTP. */
export interface Core {
  context: ServerContext;
  http: number;
  /** What the broker reports goes here (once the broker listens). */
  events: BrokerEvents;
  /** Finishes results in flight, then closes the API, the plugins and storage. */
  stop(): Promise<void>;
}

/**
 * Ingest → domain → API over one Store: opens storage, sets up plugins, re-applies results left
 * pending, then serves HTTP. Runs in the server's storage thread (or its only thread); the
 * broker reaches it through `events` and `publish` only.
 */
export async function startCore(config: ServerConfig, options: CoreOptions): Promise<Core> {
  const { log, publish } = options;
  mkdirSync(config.dataDir, { recursive: true });
  const store = options.store ?? (await LevelStore.open(path.join(config.dataDir, 'db'), { cacheSize: config.storage.cacheSizeMiB << 20, writeBufferSize: config.storage.writeBufferSizeMiB << 20 }));
  try {
    const audit = AuditLog.inDataDir(config.dataDir);
    const credentials = CredentialStore.inDataDir(config.dataDir, config.tokens);
    const inventory = new Inventory(store);
    await inventory.open();
    const presence = new Presence(store, config.presence.staleAfterMs);
    await presence.open();
    const catalogue = new Catalogue(store, new ImageFiles(path.join(config.dataDir, 'images')), audit, config.trustedManufacturerKeys);
    const stats = new IngestStats();
    const hooks = new ServerHooks();
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
    const context: ServerContext = {
      config, log, store, inventory, catalogue, audit, credentials, presence, stats, hooks, results,
      sendToRig: (rigId, kind, payload) => publish(rigCommandTopic(rigId, kind), payload),
    };
    const routes: RouteSpec[] = [
      ...healthRoutes(context, options.version),
      ...deviceRoutes(context),
      ...firmwareRoutes(context),
      ...rigRoutes(context),
      ...resultRoutes(context),
      ...auditRoutes(context),
    ];
    for (const plugin of options.plugins) routes.push(...((await plugin.setup(context)) ?? []));
    const recovered = await results.recover();
    if (recovered > 0) log.info({ recovered }, 're-applied results stored before a crash');

    const app = await buildApi(routes, credentials, log, options.version);
    try {
      await app.listen({ port: config.http.port, host: config.http.host });
    } catch (err) {
      await app.close();
      throw err;
    }
    const events: BrokerEvents = {
      rigMessage: (rigId, kind, payload) => ingest.handle(rigId, kind, payload),
      rigConnected: (rigId) => presence.connection(rigId, true),
      rigDisconnected: (rigId) => presence.connection(rigId, false),
      refused: (what, who, reason) => {
        stats.refused[what]++;
        log.warn({ who, reason }, `MQTT ${what} refused`);
      },
    };
    return {
      context,
      http: (app.server.address() as { port: number }).port,
      events,
      async stop() {
        await app.close();
        await results.idle();
        for (const plugin of options.plugins) await plugin.close?.();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
