import { Duplex } from 'node:stream';
import type { SimulatedHub } from '../hub/SimulatedHub.ts';
import { HubLink, type LinkOptions } from '../link/link.ts';

export interface MemoryLink {
  /** The host's end: write frames to it, read the hub's replies from it. */
  host: Duplex;
  link: HubLink;
  close(): void;
}

/**
 * A hub on an in-memory line, for unit tests and the agent's stream transport: a Duplex whose
 * bytes are paced, delayed and made noisy like a serial line. A disconnect fault ends the stream
 * (there is no port to re-enumerate on; open a new link to reconnect).
 */
export function createMemoryLink(hub: SimulatedHub, options: Partial<LinkOptions> = {}): MemoryLink {
  let closed = false;
  const host = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (!closed) link.fromHost(chunk);
      callback();
    },
    destroy(err, callback) {
      close();
      callback(err);
    },
  });
  const link = new HubLink(hub, options, (bytes) => {
    if (!closed) host.push(bytes);
  });
  const onDisconnect = (): void => {
    close();
    host.destroy();
  };
  function close(): void {
    if (closed) return;
    closed = true;
    hub.off('disconnect', onDisconnect);
    link.close();
    host.push(null);
  }
  hub.on('disconnect', onDisconnect);
  return {
    host,
    link,
    close: () => {
      close();
      host.destroy();
    },
  };
}
