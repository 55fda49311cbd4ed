import type { Logger } from 'pino';
import type { RigCommandKind } from '../protocol/mqtt/index.ts';
import type { RouteSpec } from './api/route.ts';
import type { AuditLog } from './audit/AuditLog.ts';
import type { ServerConfig } from './config/config.ts';
import type { CredentialStore } from './datadir/CredentialStore.ts';
import type { Catalogue } from './domain/catalogue/Catalogue.ts';
import type { Inventory } from './domain/inventory/Inventory.ts';
import type { Presence } from './domain/rigs/Presence.ts';
import type { ServerHooks } from './hooks.ts';
import type { IngestStats } from './ingest/IngestStats.ts';
import type { ResultIngest } from './ingest/ResultIngest.ts';
import type { Store } from './storage/Store.ts';

/** What domain modules and plugins get: the server's parts, already open. */
export interface ServerContext {
  config: ServerConfig;
  log: Logger;
  store: Store;
  inventory: Inventory;
  catalogue: Catalogue;
  audit: AuditLog;
  credentials: CredentialStore;
  presence: Presence;
  stats: IngestStats;
  hooks: ServerHooks;
  results: ResultIngest;
  /** Publishes a command to a rig (`…/{rigId}/cmd/{kind}`, QoS 1). */
  sendToRig(rigId: string, kind: RigCommandKind, payload: Buffer): Promise<void>;
}

/**
 * An extension of the server (the orders work is one): set up once the core is open and before
 * it listens. It registers hooks on `ctx.hooks` and returns its HTTP routes.
 */
export interface ServerPlugin {
  name: string;
  setup(ctx: ServerContext): Promise<RouteSpec[] | void> | RouteSpec[] | void;
  close?(): Promise<void>;
  /**
   * How to make this plugin again in the server's storage thread: the module's URL, the name of
   * the factory it exports, and JSON-safe arguments. A server runs its storage in a thread of
   * its own only if every plugin has this (ordersPlugin() does).
   */
  portable?: PortablePlugin;
}

export interface PortablePlugin {
  module: string;
  factory: string;
  args?: unknown[];
}
