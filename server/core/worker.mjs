// Entry of the storage thread: loads the TypeScript sources through tsx's loader in this thread
// (a worker does not inherit a loader registered in-process, e.g. by bin/hubflash.js).
import { register } from 'tsx/esm/api';

register();
await import('./coreWorker.ts');
