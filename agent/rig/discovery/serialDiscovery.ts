import { EventEmitter } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { silentLogger, type AgentLogger } from '../../log.ts';
import type { PortRef } from '../../transport/index.ts';
import { matchesFilter, type Discovery, type DiscoveryEvents, type UsbIdFilter } from './types.ts';

/** What serialport's list() reports for one port (the fields used here). */
export interface SerialPortInfo {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
}

export interface SerialDiscoveryOptions {
  /** Ports listed with these USB IDs are hubs (the USB-serial adapter of the rig's cradles). */
  filters?: UsbIdFilter[];
  /** Ports that are hubs whatever they report; watched for coming and going. */
  paths?: string[];
  baudRate?: number;
  intervalMs?: number;
  /** The port lister; default serialport's `SerialPort.list`. */
  list?: () => Promise<SerialPortInfo[]>;
  logger?: AgentLogger;
}

/**
 * Serial hub ports: those whose USB vendor and product IDs match a filter, and explicit paths.
 * Polls, since serial ports have no portable hot-plug event, and reports changes as events.
 */
export class SerialDiscovery extends EventEmitter<DiscoveryEvents> implements Discovery {
  private readonly present = new Map<string, PortRef>();
  /** The device node behind each explicit path: a hub re-enumerated between two polls gets a new one. */
  private readonly nodes = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private listing = true;
  private readonly log: AgentLogger;

  constructor(private readonly o: SerialDiscoveryOptions = {}) {
    super();
    this.log = o.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    if ((this.o.filters?.length ?? 0) > 0 && !this.o.list && !canListSerialPorts()) {
      this.listing = false;
      const error = new HubflashError(ErrorCode.SerialListUnavailable, 'Serial ports cannot be listed here (udevadm is missing): finding hubs by USB vendor and product ID is off; give ports with --port', {});
      this.log.warn({ code: 'HF0508' }, error.message);
      this.emit('unavailable', error);
    }
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): PortRef[] {
    return [...this.present.values()];
  }

  /** One look at the ports; public so a caller can ask for a fresh look at once. */
  async poll(): Promise<void> {
    const found = new Map<string, PortRef>();
    const nodes = new Map<string, string>();
    for (const p of this.o.paths ?? []) {
      const node = deviceNode(p);
      if (node === undefined) continue;
      found.set(p, this.ref({ path: p }));
      nodes.set(p, node);
    }
    if (this.listing && (this.o.filters?.length ?? 0) > 0) {
      const ports = await (this.o.list ?? SerialPort.list)().catch((err: unknown) => {
        this.log.warn({ err }, 'listing serial ports failed');
        return [] as SerialPortInfo[];
      });
      for (const p of ports) {
        if (matchesFilter(this.o.filters!, hex(p.vendorId), hex(p.productId))) found.set(p.path, this.ref(p));
      }
    }
    for (const [name, ref] of this.present) {
      // A path whose device node changed (a stable by-id name now on another ttyUSB, or the
      // same name made again) left and came back: it may hold a hub waiting to resume.
      if (found.has(name) && nodes.get(name) === this.nodes.get(name)) continue;
      this.present.delete(name);
      this.emit('hub-port-disappeared', ref);
    }
    this.nodes.clear();
    for (const [p, node] of nodes) this.nodes.set(p, node);
    for (const [name, ref] of found) {
      if (this.present.has(name)) continue;
      this.present.set(name, ref);
      this.emit('hub-port-appeared', ref);
    }
  }

  private ref(p: SerialPortInfo): PortRef {
    return {
      kind: 'serial',
      path: p.path,
      ...(this.o.baudRate ? { baudRate: this.o.baudRate } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
      ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    };
  }
}

/** Which device node a path leads to now (following symlinks), or undefined when there is none. */
function deviceNode(p: string): string | undefined {
  try {
    const st = statSync(p);
    return `${st.dev}:${st.ino}:${st.rdev}`;
  } catch {
    return undefined;
  }
}

function hex(v: string | undefined): number | undefined {
  if (v === undefined || !/^[0-9a-fA-F]{1,4}$/.test(v)) return undefined;
  return Number.parseInt(v, 16);
}

/**
 * serialport lists Linux ports by running `udevadm`; without it the spawn error escapes as an
 * uncaught exception, so look for it first.
 */
export function canListSerialPorts(): boolean {
  if (process.platform !== 'linux') return true;
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, 'udevadm'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
