import { REBOOT_CONNECT_MS } from '../link/index.ts';

/** Bounds on retrying; every one can be set per session. */
export interface SessionPolicy {
  /** Reconnects in a row without progress before the session fails. */
  reconnects: number;
  /** STATUS probes in a row without progress before the transfer reconnects. */
  transferRetries: number;
  /** ACTIVATE attempts, when a power cut in Trial lost the new image. */
  activations: number;
  /** Least time between journal syncs while bytes flow. */
  checkpointMs: number;
  /** After the reboot, CONNECT is retried for this long. */
  rebootConnectMs: number;
  /** Pause before a reconnect; it grows with each one in a row. */
  reconnectDelayMs: number;
}

export const DEFAULT_POLICY: Readonly<SessionPolicy> = Object.freeze({
  reconnects: 6,
  transferRetries: 2,
  activations: 2,
  checkpointMs: 100,
  rebootConnectMs: REBOOT_CONNECT_MS,
  reconnectDelayMs: 100,
});
