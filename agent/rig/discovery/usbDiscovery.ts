import { EventEmitter } from 'node:events';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { silentLogger, type AgentLogger } from '../../log.ts';
import type { PortRef } from '../../transport/index.ts';
import { matchesFilter, type Discovery, type DiscoveryEvents, type UsbIdFilter } from './types.ts';

export interface UsbDiscoveryOptions {
  filters: UsbIdFilter[];
  /** A W3C `USB` object; default `usb` v3's WebUSB with every device allowed. */
  usb?: USB;
  logger?: AgentLogger;
}

/**
 * USB hubs by vendor and product ID, with connect and disconnect events. On a machine without a
 * USB bus it says so once ('unavailable', HF0501) and stays quiet, so serial carries on.
 */
export class UsbDiscovery extends EventEmitter<DiscoveryEvents> implements Discovery {
  private readonly present = new Map<USBDevice, PortRef>();
  private usb: USB | undefined;
  private readonly log: AgentLogger;

  constructor(private readonly o: UsbDiscoveryOptions) {
    super();
    this.log = o.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    try {
      const usb = this.o.usb ?? (await defaultUsb());
      // List first: with no USB bus, `usb` v3's hot-plug watcher would fail outside any promise.
      const devices = await usb.getDevices();
      this.usb = usb;
      usb.addEventListener('connect', this.onConnect);
      usb.addEventListener('disconnect', this.onDisconnect);
      for (const device of devices) this.add(device);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const error = new HubflashError(ErrorCode.UsbUnavailable, `USB discovery is off: ${why}. Carrying on with serial ports`, {}, { cause: err });
      this.log.warn({ code: 'HF0501' }, error.message);
      this.emit('unavailable', error);
    }
  }

  stop(): void {
    this.usb?.removeEventListener('connect', this.onConnect);
    this.usb?.removeEventListener('disconnect', this.onDisconnect);
  }

  current(): PortRef[] {
    return [...this.present.values()];
  }

  private readonly onConnect = (event: USBConnectionEvent): void => this.add(event.device);

  private readonly onDisconnect = (event: USBConnectionEvent): void => {
    const ref = this.present.get(event.device);
    if (!ref) return;
    this.present.delete(event.device);
    this.emit('hub-port-disappeared', ref);
  };

  private add(device: USBDevice): void {
    if (this.present.has(device) || !matchesFilter(this.o.filters, device.vendorId, device.productId)) return;
    const ref: PortRef = { kind: 'usb', device };
    this.present.set(device, ref);
    this.emit('hub-port-appeared', ref);
  }
}

async function defaultUsb(): Promise<USB> {
  const { WebUSB } = await import('usb');
  return new WebUSB({ allowAllDevices: true }) as unknown as USB;
}
