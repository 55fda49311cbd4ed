import { EventEmitter } from 'node:events';
import type { PortRef } from '../../transport/index.ts';
import type { Discovery, DiscoveryEvents } from './types.ts';

/** Several discoveries as one (serial and USB): events pass through, one failing leaves the rest. */
export class MergedDiscovery extends EventEmitter<DiscoveryEvents> implements Discovery {
  constructor(private readonly parts: Discovery[]) {
    super();
    for (const p of parts) {
      p.on('hub-port-appeared', (ref) => this.emit('hub-port-appeared', ref));
      p.on('hub-port-disappeared', (ref) => this.emit('hub-port-disappeared', ref));
      p.on('unavailable', (err) => this.emit('unavailable', err));
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.start()));
  }

  stop(): void {
    for (const p of this.parts) p.stop();
  }

  current(): PortRef[] {
    return this.parts.flatMap((p) => p.current());
  }
}
