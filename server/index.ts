/** The server's public API: what the CLI, the end-to-end demo and server plugins use. */
export { createServer, SERVER_VERSION, type CreateServerOptions, type HubflashServer, type ServerAddresses } from './createServer.ts';
export { loadServerConfig, resolveServerConfig, ROLES, type Role, type ServerConfig, type ServerConfigInput } from './config/config.ts';
export type { PortablePlugin, ServerContext, ServerPlugin } from './context.ts';
export { ServerHooks, type ResultAppliedEvent, type ResultAppliedHook, type ResultReads, type ResultTransaction, type RigMessageHandler } from './hooks.ts';
export { route, API_PREFIX, type RouteSpec, type Caller, type Access } from './api/route.ts';
export type { Store, BatchOp, Range, StoreIterator } from './storage/Store.ts';
export { LevelStore } from './storage/LevelStore.ts';
export { MemoryStore } from './storage/MemoryStore.ts';
