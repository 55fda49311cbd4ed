// Entry of the storage thread when its code was built into plain ES modules (bundle.ts): stack
// traces map back to the TypeScript sources, then the built coreWorker runs.
import { workerData } from 'node:worker_threads';

process.setSourceMapsEnabled(true);
await import(workerData.bundle);
