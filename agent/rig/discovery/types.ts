import type { EventEmitter } from 'node:events';
import type { HubflashError } from '../../../protocol/errors/index.ts';
import type { PortRef } from '../../transport/index.ts';

export interface DiscoveryEvents {
  'hub-port-appeared': [port: PortRef];
  'hub-port-disappeared': [port: PortRef];
  /** This kind of discovery cannot work on this machine (said once); the others carry on. */
  unavailable: [error: HubflashError];
}

/** A source of hub ports: serial, USB, or several merged. */
export interface Discovery extends EventEmitter<DiscoveryEvents> {
  start(): Promise<void>;
  stop(): void;
  /** The ports present now. */
  current(): PortRef[];
}

/** USB vendor and product ID, as numbers. */
export interface UsbIdFilter {
  vendorId: number;
  productId?: number;
}

export function matchesFilter(filters: readonly UsbIdFilter[], vendorId: number | undefined, productId: number | undefined): boolean {
  if (vendorId === undefined) return false;
  return filters.some((f) => f.vendorId === vendorId && (f.productId === undefined || f.productId === productId));
}

/** `0403:6015` or `0403` (any product), hex. Returns undefined when it is not that shape. */
export function parseUsbIdFilter(text: string): UsbIdFilter | undefined {
  const m = /^([0-9a-fA-F]{4})(?::([0-9a-fA-F]{4}))?$/.exec(text.trim());
  if (!m) return undefined;
  return { vendorId: Number.parseInt(m[1]!, 16), ...(m[2] ? { productId: Number.parseInt(m[2], 16) } : {}) };
}
