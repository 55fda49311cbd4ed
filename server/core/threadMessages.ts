import { HubflashError, type ErrorCode } from '../../protocol/errors/index.ts';
import type { EventBatch } from '../broker/eventBatch.ts';
import type { ServerConfig } from '../config/config.ts';
import type { PortablePlugin } from '../context.ts';

/** What the storage thread starts with. */
export interface CoreWorkerData {
  config: ServerConfig;
  plugins: PortablePlugin[];
  version: string;
  /** Send log lines to the main thread's logger (the embedder gave one) instead of stdout. */
  forwardLogs: boolean;
  /** The built coreWorker module (bundle.ts), when the thread runs built code. */
  bundle?: string;
}

/** A failure that crossed threads; `code` is a HubflashError's. */
export interface ThreadError {
  message: string;
  code?: number;
  context?: Record<string, unknown>;
  stack?: string;
}

/** Main (broker) thread → storage thread. */
export type ToCore = { t: 'events'; batch: EventBatch } | { t: 'published'; id: number; error?: ThreadError } | { t: 'stop' };

/** Storage thread → main (broker) thread. */
export type FromCore =
  | { t: 'started'; http: number }
  | { t: 'failed'; error: ThreadError }
  | { t: 'publish'; id: number; topic: string; payload: Uint8Array }
  | { t: 'log'; line: string }
  | { t: 'stopped' };

export function toThreadError(err: unknown): ThreadError {
  const e = err as { message?: string; code?: unknown; context?: Record<string, unknown>; stack?: string };
  return { message: e.message ?? String(err), ...(typeof e.code === 'number' ? { code: e.code, context: e.context ?? {} } : {}), ...(e.stack ? { stack: e.stack } : {}) };
}

/** A HubflashError from the other thread keeps its code (its message already ends with it). */
export function fromThreadError(e: ThreadError): Error {
  const err = e.code === undefined ? new Error(e.message) : new HubflashError(e.code as ErrorCode, e.message.replace(/ \(HF\d{4}\)$/, ''), e.context ?? {});
  if (e.stack) err.stack = e.stack;
  return err;
}
