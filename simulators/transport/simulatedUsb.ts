import { after } from '../clock/clock.ts';
import { usbError } from './usbDescriptors.ts';
import { SimulatedUsbDevice, type UsbDeviceOptions } from './usbDevice.ts';
import type { SimulatedHub } from '../hub/SimulatedHub.ts';

/** The `on…` handlers are called with the USB object as `this`. */
type UsbHandler = (this: USB, ev: USBConnectionEvent) => unknown;
/** Listeners of any `this` (a USB subclass's own listeners included). */
type UsbListener = (this: never, ev: USBConnectionEvent) => unknown;
type NodeListener = Parameters<EventTarget['addEventListener']>[1];

/** A connect/disconnect event as WebUSB dispatches it. */
class UsbConnectionEvent extends Event {
  constructor(
    type: 'connect' | 'disconnect',
    readonly device: USBDevice,
  ) {
    super(type);
  }
}

export function createUsbDevice(hub: SimulatedHub, opts: Partial<UsbDeviceOptions> = {}): SimulatedUsbDevice {
  return new SimulatedUsbDevice(hub, opts);
}

/**
 * The parts of the W3C `USB` object a host uses (getDevices, requestDevice, connect/disconnect
 * events), over simulated hubs plugged in with plug() and pulled with unplug(). A hub's disconnect
 * fault unplugs its device and, after the fault's delay, plugs in a new device for the same hub.
 */
export class SimulatedUsb extends EventTarget implements USB {
  private readonly devices = new Set<SimulatedUsbDevice>();
  private readonly faultListeners = new Map<SimulatedUsbDevice, (reenumerateMs: number) => void>();
  onconnect: UsbHandler | null = null;
  ondisconnect: UsbHandler | null = null;

  override addEventListener(type: 'connect' | 'disconnect', listener: UsbListener, options?: Parameters<EventTarget['addEventListener']>[2]): void;
  override addEventListener(type: string, listener: UsbListener | NodeListener, options?: Parameters<EventTarget['addEventListener']>[2]): void;
  override addEventListener(type: string, listener: UsbListener | NodeListener, options?: Parameters<EventTarget['addEventListener']>[2]): void {
    super.addEventListener(type, listener as NodeListener, options);
  }

  override removeEventListener(type: 'connect' | 'disconnect', listener: UsbListener, options?: Parameters<EventTarget['removeEventListener']>[2]): void;
  override removeEventListener(type: string, listener: UsbListener | NodeListener, options?: Parameters<EventTarget['removeEventListener']>[2]): void;
  override removeEventListener(type: string, listener: UsbListener | NodeListener, options?: Parameters<EventTarget['removeEventListener']>[2]): void {
    super.removeEventListener(type, listener as NodeListener, options);
  }

  async getDevices(): Promise<USBDevice[]> {
    return [...this.devices];
  }

  async requestDevice(options?: USBDeviceRequestOptions): Promise<USBDevice> {
    const filters = options?.filters ?? [];
    const match = [...this.devices].find(
      (d) =>
        filters.length === 0 ||
        filters.some(
          (f) =>
            (f.vendorId === undefined || f.vendorId === d.vendorId) &&
            (f.productId === undefined || f.productId === d.productId) &&
            (f.serialNumber === undefined || f.serialNumber === d.serialNumber),
        ),
    );
    if (!match) throw usbError('requestDevice', 'NotFoundError', 'No device selected.');
    return match;
  }

  plug(device: SimulatedUsbDevice): void {
    if (this.devices.has(device) || !device.connected) return;
    this.devices.add(device);
    const onFault = (reenumerateMs: number): void => {
      this.unplug(device);
      after(device.hub.clock, reenumerateMs, () => this.plug(createUsbDevice(device.hub, device.options)));
    };
    this.faultListeners.set(device, onFault);
    device.hub.on('disconnect', onFault);
    this.fire(new UsbConnectionEvent('connect', device));
  }

  unplug(device: SimulatedUsbDevice): void {
    if (!this.devices.delete(device)) return;
    const onFault = this.faultListeners.get(device);
    if (onFault) device.hub.off('disconnect', onFault);
    this.faultListeners.delete(device);
    device.disconnect();
    this.fire(new UsbConnectionEvent('disconnect', device));
  }

  /** Unplugs every device. */
  unplugAll(): void {
    for (const d of [...this.devices]) this.unplug(d);
  }

  private fire(event: UsbConnectionEvent): void {
    this.dispatchEvent(event);
    const handler = event.type === 'connect' ? this.onconnect : this.ondisconnect;
    handler?.call(this as unknown as USB, event as unknown as USBConnectionEvent);
  }
}
