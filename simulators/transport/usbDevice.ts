import { realClock, type Clock } from '../clock/clock.ts';
import type { ByteFaults } from '../faults/types.ts';
import type { SimulatedHub } from '../hub/SimulatedHub.ts';
import { HubLink } from '../link/link.ts';
import { BulkTransfers, toBytes } from './usbBulk.ts';
import { BULK_IN, BULK_OUT, HUB_INTERFACE, hubConfiguration, usbError } from './usbDescriptors.ts';

export interface UsbDeviceOptions {
  vendorId: number;
  productId: number;
  /** Default: the hub's CHF ID without separators. */
  serialNumber: string;
  /** Bulk throughput each way (USB full speed with a small MCU: about 1 MB/s). */
  bytesPerSec: number;
  latencyMs: number;
  /** How long transferIn waits for data before failing, as the `usb` package does (0: forever). */
  transferTimeoutMs: number;
  toHub?: ByteFaults;
  toHost?: ByteFaults;
  clock?: Clock;
}

export const USB_DEFAULTS = Object.freeze({ vendorId: 0x1209, productId: 0x4846, bytesPerSec: 1_000_000, latencyMs: 1, transferTimeoutMs: 1000 });


/**
 * A simulated hub as a WebUSB USBDevice, behaving like the `usb` package's WebUSB devices: open,
 * claim interface 0, then transferOut / transferIn carry the protocol's framed bytes on bulk
 * endpoint 1. Unplugging (SimulatedUsb.unplug, or a disconnect fault) fails pending transfers.
 */
export class SimulatedUsbDevice implements USBDevice {
  readonly usbVersionMajor = 2;
  readonly usbVersionMinor = 0;
  readonly usbVersionSubminor = 0;
  readonly deviceClass = 0;
  readonly deviceSubclass = 0;
  readonly deviceProtocol = 0;
  readonly deviceVersionMajor = 1;
  readonly deviceVersionMinor = 0;
  readonly deviceVersionSubminor = 0;
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber: string;
  readonly manufacturerName: string;
  readonly productName: string;
  readonly configuration: USBConfiguration;
  readonly configurations: USBConfiguration[];
  private link: HubLink | undefined;
  private claimed = false;
  private gone = false;
  private readonly clock: Clock;
  private readonly bulk: BulkTransfers;
  readonly options: UsbDeviceOptions;
  /** A disconnect fault pulls this device even when no SimulatedUsb manages it. */
  private readonly onFaultDisconnect = (): void => this.disconnect();

  constructor(
    readonly hub: SimulatedHub,
    opts: Partial<UsbDeviceOptions> = {},
  ) {
    this.options = { ...USB_DEFAULTS, serialNumber: hub.identity.chfId.replace(/-/g, ''), ...opts };
    this.vendorId = this.options.vendorId;
    this.productId = this.options.productId;
    this.serialNumber = this.options.serialNumber;
    this.manufacturerName = hub.identity.manufacturer;
    this.productName = hub.identity.model;
    this.clock = opts.clock ?? hub.clock ?? realClock;
    this.bulk = new BulkTransfers(this.clock);
    this.configuration = hubConfiguration('hub maintenance', () => this.claimed);
    this.configurations = [this.configuration];
  }

  get opened(): boolean {
    return this.link !== undefined;
  }

  get connected(): boolean {
    return !this.gone;
  }

  async open(): Promise<void> {
    if (this.gone) throw usbError('open', 'NotFoundError', 'the device was disconnected');
    if (this.link) return;
    const o = this.options;
    this.link = new HubLink(
      this.hub,
      { bytesPerSec: o.bytesPerSec, latencyMs: o.latencyMs, toHub: o.toHub, toHost: o.toHost, clock: this.clock },
      (bytes) => this.bulk.received(bytes),
      () => this.bulk.reachedHub(),
    );
    this.hub.on('disconnect', this.onFaultDisconnect);
  }

  async close(): Promise<void> {
    this.claimed = false;
    this.hub.off('disconnect', this.onFaultDisconnect);
    this.link?.close();
    this.link = undefined;
    this.bulk.fail(usbError('transferIn', 'NetworkError', 'the device was closed'));
  }

  async forget(): Promise<void> {
    await this.close();
  }

  async reset(): Promise<void> {
    this.requireOpen('reset');
    this.bulk.clear();
  }

  async selectConfiguration(value: number): Promise<void> {
    this.requireOpen('selectConfiguration');
    if (value !== 1) throw usbError('selectConfiguration', 'NotFoundError', 'invalid configuration');
  }

  async claimInterface(n: number): Promise<void> {
    this.requireOpen('claimInterface');
    if (n !== HUB_INTERFACE) throw usbError('claimInterface', 'NotFoundError', `no interface ${n}`);
    this.claimed = true;
  }

  async releaseInterface(n: number): Promise<void> {
    this.requireOpen('releaseInterface');
    if (n !== HUB_INTERFACE || !this.claimed) throw usbError('releaseInterface', 'InvalidStateError', 'not claimed');
    this.claimed = false;
  }

  async selectAlternateInterface(n: number, alt: number): Promise<void> {
    this.requireOpen('selectAlternateInterface');
    if (n !== HUB_INTERFACE || alt !== 0) throw usbError('selectAlternateInterface', 'NotFoundError', 'invalid state');
  }

  async clearHalt(_direction: USBDirection, _endpoint: number): Promise<void> {
    this.requireOpen('clearHalt');
  }

  async controlTransferIn(): Promise<USBInTransferResult> {
    throw usbError('controlTransferIn', 'NotSupportedError', 'the hub has no vendor control requests');
  }

  async controlTransferOut(): Promise<USBOutTransferResult> {
    throw usbError('controlTransferOut', 'NotSupportedError', 'the hub has no vendor control requests');
  }

  async isochronousTransferIn(): Promise<USBIsochronousInTransferResult> {
    throw usbError('isochronousTransferIn', 'NotSupportedError', 'method not implemented');
  }

  async isochronousTransferOut(): Promise<USBIsochronousOutTransferResult> {
    throw usbError('isochronousTransferOut', 'NotSupportedError', 'method not implemented');
  }

  /** Resolves once the bytes have crossed the bus to the hub (the device acknowledged them). */
  async transferOut(endpoint: number, data: ArrayBuffer | ArrayBufferView, _timeoutMs?: number): Promise<USBOutTransferResult> {
    const link = this.requireEndpoint('transferOut', endpoint, BULK_OUT);
    const bytes = toBytes(data);
    link.fromHost(bytes);
    await this.bulk.out(link.toHub.drainedAt);
    return { bytesWritten: bytes.length, status: 'ok' };
  }

  /** Resolves with up to `length` bytes from the hub as soon as any are there. */
  transferIn(endpoint: number, length: number, timeoutMs = this.options.transferTimeoutMs): Promise<USBInTransferResult> {
    try {
      this.requireEndpoint('transferIn', endpoint, BULK_IN);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.bulk.in(length, timeoutMs);
  }

  /** The cable is pulled: the device is gone for good (a re-plugged hub is a new device). */
  disconnect(): void {
    if (this.gone) return;
    this.gone = true;
    this.claimed = false;
    this.hub.off('disconnect', this.onFaultDisconnect);
    this.link?.close();
    this.link = undefined;
    this.bulk.fail(usbError('transferIn', 'NetworkError', 'Disconnected: the device was unplugged'));
  }

  private requireOpen(op: string): HubLink {
    if (this.gone) throw usbError(op, 'NotFoundError', 'the device was disconnected');
    if (!this.link) throw usbError(op, 'InvalidStateError', 'invalid state (open the device first)');
    return this.link;
  }

  private requireEndpoint(op: string, endpoint: number, expected: number): HubLink {
    const link = this.requireOpen(op);
    if (!this.claimed || endpoint !== expected) throw usbError(op, 'NotFoundError', `endpoint not found (claim interface ${HUB_INTERFACE}, use endpoint ${expected})`);
    return link;
  }
}
