export { Rig, DEFAULT_CONCURRENCY, DEFAULT_REAPPEAR_MS, type RigEvents, type RigOptions } from './rig.ts';
export { flashHub, asFlashImage, isFlashImage, type FlashHubOptions } from './flashHub.ts';
export { Journal } from './journal.ts';
export { loadFlashImage } from './imageFile.ts';
export { identifyHub, type HubIdentityReport } from './identify.ts';
export * from './discovery/index.ts';
export { runFlash, type RunFlashOptions } from './runFlash.ts';
