import { EventEmitter } from 'node:events';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { linkClosed, openFailed } from './errors.ts';
import type { Transport, TransportEvents, TransportInfo } from './transport.ts';

export interface UsbTransportOptions {
  /** For timeouts: USB full speed bulk moves about 1 MB/s, far more than any serial adapter. */
  bytesPerSecond?: number;
  latencyMs?: number;
  /** Bytes asked for per IN transfer. */
  readSize?: number;
}

interface BulkPair {
  interfaceNumber: number;
  inEndpoint: number;
  outEndpoint: number;
}

/** A hub's maintenance interface on USB bulk endpoints, through the W3C WebUSB API (`usb` v3). */
export class UsbTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly info: TransportInfo;
  private pair: BulkPair | undefined;
  private open_ = false;
  private readonly readSize: number;

  constructor(
    private readonly device: USBDevice,
    options: UsbTransportOptions = {},
  ) {
    super();
    this.readSize = options.readSize ?? 16_384;
    this.info = {
      kind: 'usb',
      name: usbDeviceName(device),
      bytesPerSecond: options.bytesPerSecond ?? 1_000_000,
      latencyMs: options.latencyMs ?? 1,
    };
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (this.open_) return;
    try {
      if (!this.device.opened) await this.device.open();
      if (this.device.configuration === null) await this.device.selectConfiguration(1);
      const pair = findBulkPair(this.device);
      if (!pair) {
        throw new HubflashError(ErrorCode.UsbTransferFailed, `${this.info.name} has no bulk IN/OUT endpoint pair: not a hub maintenance interface`, {
          port: this.info.name,
        });
      }
      await this.device.claimInterface(pair.interfaceNumber);
      this.pair = pair;
    } catch (err) {
      throw err instanceof HubflashError ? err : openFailed(this.info.name, err);
    }
    this.open_ = true;
    void this.readLoop(this.pair);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const pair = this.pair;
    if (!this.open_ || !pair) throw linkClosed(this.info.name);
    let result: USBOutTransferResult;
    try {
      result = await this.device.transferOut(pair.outEndpoint, bytes as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw this.lost(err);
    }
    if (result.status !== 'ok') {
      await this.device.clearHalt('out', pair.outEndpoint).catch(() => {});
      throw new HubflashError(ErrorCode.UsbTransferFailed, `${this.info.name}: bulk OUT transfer ended with ${result.status}`, { port: this.info.name });
    }
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.shut(undefined);
    const pair = this.pair;
    this.pair = undefined;
    if (pair) await this.device.releaseInterface(pair.interfaceNumber).catch(() => {});
    await this.device.close().catch(() => {});
  }

  private async readLoop(pair: BulkPair): Promise<void> {
    while (this.open_ && this.pair === pair) {
      let result: USBInTransferResult;
      try {
        result = await this.device.transferIn(pair.inEndpoint, this.readSize);
      } catch (err) {
        // `usb` v3 ends an IN transfer that saw no data with a TimeoutError: the hub was quiet.
        if (isTimeout(err) && this.open_) continue;
        if (this.open_) this.shut(this.lost(err));
        return;
      }
      if (result.status === 'stall') {
        await this.device.clearHalt('in', pair.inEndpoint).catch(() => {});
        continue;
      }
      const view = result.data;
      if (view && view.byteLength > 0 && this.open_) this.emit('data', new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    }
  }

  private lost(err: unknown): HubflashError {
    return linkClosed(this.info.name, `the USB device stopped answering (${err instanceof Error ? err.message : String(err)})`);
  }

  private shut(error: HubflashError | undefined): void {
    if (!this.open_) return;
    this.open_ = false;
    this.emit('close', error);
  }
}

export function usbDeviceName(device: USBDevice): string {
  const id = `${hex4(device.vendorId)}:${hex4(device.productId)}`;
  return device.serialNumber ? `usb:${id}:${device.serialNumber}` : `usb:${id}`;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function findBulkPair(device: USBDevice): BulkPair | undefined {
  for (const iface of device.configuration?.interfaces ?? []) {
    const endpoints = iface.alternate.endpoints.filter((e) => e.type === 'bulk');
    const inEp = endpoints.find((e) => e.direction === 'in');
    const outEp = endpoints.find((e) => e.direction === 'out');
    if (inEp && outEp) return { interfaceNumber: iface.interfaceNumber, inEndpoint: inEp.endpointNumber, outEndpoint: outEp.endpointNumber };
  }
  return undefined;
}

function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TimeoutError';
}
