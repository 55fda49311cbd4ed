import { createRequire } from 'node:module';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';

/** A pseudo-terminal pair: the master we serve the hub on, the slave path a host opens. */
export interface PtyPair {
  master: number;
  slave: number;
  /** The slave's path, e.g. /dev/pts/3. */
  pty: string;
}

interface PtyNative {
  open(cols: number, rows: number): PtyPair;
}

let native: PtyNative | undefined;

/**
 * Opens a pty pair with node-pty's native `open()`, which spawns no process (node-pty's public
 * API always forks a shell). Throws SimPtyUnavailable when the addon or a free pty is missing.
 */
export function openPtyPair(): PtyPair {
  try {
    native ??= (createRequire(import.meta.url)('node-pty/lib/utils.js') as { loadNativeModule(name: string): { module: PtyNative } }).loadNativeModule('pty').module;
    return native.open(80, 24);
  } catch (err) {
    throw new HubflashError(
      ErrorCode.SimPtyUnavailable,
      `Cannot open a pseudo-terminal for a simulated hub: ${err instanceof Error ? err.message : String(err)}`,
      {},
      { cause: err },
    );
  }
}
