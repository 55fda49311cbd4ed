export { RigDaemon, type DaemonDeps, type DaemonEvents } from './daemon.ts';
export { loadAgentConfig, resolveAgentConfig, agentConfigSchema, type AgentConfig, type AgentConfigFile } from './config.ts';
export { ResultOutbox } from './outbox.ts';
export { ServerLink, type ServerLinkOptions } from './serverLink.ts';
export { BirthCounter } from './birthCounter.ts';
export { ImageCache } from './imageCache.ts';
export { JobClient } from './jobClient.ts';
