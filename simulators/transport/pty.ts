import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import tty from 'node:tty';
import { after } from '../clock/clock.ts';
import type { SimulatedHub } from '../hub/SimulatedHub.ts';
import { HubLink, type LinkOptions } from '../link/link.ts';
import { openPtyPair, type PtyPair } from './ptyNative.ts';

/**
 * A hub on a pseudo-terminal: a host opens `path` with a real serial port library. The simulator
 * reads and writes the master end and paces the bytes itself (a pty ignores baud). It keeps the
 * slave open too, so the master never sees EIO when the host closes its port.
 * Events: 'disconnected', 'reenumerated' (new path).
 */
export class PtyHub extends EventEmitter {
  path = '';
  private pair: PtyPair | undefined;
  private master: tty.ReadStream | undefined;
  private link: HubLink | undefined;
  /** The last pty's slave, held until the next pty is open so that it gets another number. */
  private staleSlave: number | undefined;
  private closed = false;
  private readonly onFaultDisconnect = (reenumerateMs: number): void => {
    this.disconnect();
    after(this.hub.clock, reenumerateMs, () => {
      if (!this.closed) void this.reenumerate();
    });
  };

  constructor(
    readonly hub: SimulatedHub,
    private readonly linkOptions: Partial<LinkOptions>,
  ) {
    super();
    hub.on('disconnect', this.onFaultDisconnect);
  }

  get connected(): boolean {
    return this.pair !== undefined;
  }

  /** Opens a new pty for the hub (its flash and RAM state untouched) and returns its path. */
  open(): string {
    if (this.closed) throw new Error('PtyHub is closed');
    if (this.pair) return this.path;
    const pair = openPtyPair();
    const master = new tty.ReadStream(pair.master);
    master.setRawMode(true);
    // EIO and friends when the pty goes away are the disconnect itself, not a failure.
    master.on('error', () => {});
    const link = new HubLink(this.hub, this.linkOptions, (bytes) => {
      if (this.master === master) master.write(bytes);
    });
    master.on('data', (chunk: Buffer) => link.fromHost(chunk));
    this.pair = pair;
    this.master = master;
    this.link = link;
    this.path = pair.pty;
    this.releaseStaleSlave();
    return this.path;
  }

  /** Pulls the cable: the host's port closes or errors; bytes in flight are lost. */
  disconnect(): void {
    if (!this.pair) return;
    this.link?.close();
    this.master?.destroy();
    this.releaseStaleSlave();
    this.staleSlave = this.pair.slave;
    this.pair = undefined;
    this.master = undefined;
    this.link = undefined;
    this.emit('disconnected', this.path);
  }

  /** The hub comes back on a new port. */
  async reenumerate(): Promise<string> {
    this.disconnect();
    const path = this.open();
    this.emit('reenumerated', path);
    return path;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.hub.off('disconnect', this.onFaultDisconnect);
    this.disconnect();
    this.releaseStaleSlave();
    this.closed = true;
  }

  private releaseStaleSlave(): void {
    if (this.staleSlave === undefined) return;
    try {
      closeSync(this.staleSlave);
    } catch {
      // already closed: nothing to release
    }
    this.staleSlave = undefined;
  }
}

/** Opens a hub on a fresh pseudo-terminal. */
export async function openPtyHub(hub: SimulatedHub, link: Partial<LinkOptions> = {}): Promise<PtyHub> {
  const p = new PtyHub(hub, link);
  p.open();
  return p;
}
