import type { KeyInput, ManufacturerImage } from '../../protocol/image/index.ts';
import type { LinkOptions } from '../link/index.ts';
import type { AgentLogger } from '../log.ts';
import {
  HubSession,
  prepareImage,
  toFlashResult,
  type FlashImage,
  type FlashResult,
  type SessionPolicy,
  type SessionProgress,
  type SessionStore,
} from '../session/index.ts';
import { createTransport, type PortRef, type Transport } from '../transport/index.ts';

export interface FlashHubOptions {
  /** Where the hub is; or an already made transport (open or not). */
  port?: PortRef;
  transport?: Transport;
  /** A prepared image (shared, verified once), or an image to verify against trustedKeys. */
  image: FlashImage | ManufacturerImage | Uint8Array;
  trustedKeys?: KeyInput[];
  /** Resume points; the rig's Journal. Without one, progress is kept only in memory. */
  journal?: SessionStore;
  signal?: AbortSignal;
  onProgress?: (progress: SessionProgress) => void;
  logger?: AgentLogger;
  /** Refuse any other hub on this port (resuming a hub that moved). */
  expectedChfId?: string;
  policy?: Partial<SessionPolicy>;
  link?: LinkOptions;
  /** Leave the transport open afterwards (default: close it). */
  keepOpen?: boolean;
}

export function isFlashImage(x: unknown): x is FlashImage {
  return typeof x === 'object' && x !== null && 'keyId' in x && 'versionText' in x && 'bytes' in x;
}

/** Makes the image ready to flash: verified against the trusted keys unless it already is. */
export function asFlashImage(image: FlashHubOptions['image'], trustedKeys: readonly KeyInput[] = []): FlashImage {
  return isFlashImage(image) ? image : prepareImage(image, trustedKeys);
}

/**
 * Flashes one hub and says how it went. Never throws for anything the hub or the port does (the
 * result carries the outcome and the error); throws only when the image itself is unusable.
 */
export async function flashHub(options: FlashHubOptions): Promise<FlashResult> {
  const image = asFlashImage(options.image, options.trustedKeys);
  const transport = options.transport ?? (options.port ? createTransport(options.port) : undefined);
  if (!transport) throw new TypeError('flashHub needs a port or a transport');
  const session = new HubSession({
    transport,
    image,
    ...(options.link ? { link: options.link } : {}),
    ...(options.journal ? { store: options.journal } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.expectedChfId ? { expectedChfId: options.expectedChfId } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  try {
    return toFlashResult(await session.run());
  } finally {
    if (!options.keepOpen) await transport.close().catch(() => {});
  }
}
