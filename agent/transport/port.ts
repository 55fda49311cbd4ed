import type { Duplex } from 'node:stream';
import { SerialTransport } from './serialTransport.ts';
import { StreamTransport } from './streamTransport.ts';
import type { Transport } from './transport.ts';
import { usbDeviceName, UsbTransport } from './usbTransport.ts';

/** Where a hub is attached: what discovery reports and what a transport is made from. */
export type PortRef =
  | { kind: 'serial'; path: string; baudRate?: number; vendorId?: string; productId?: string; serialNumber?: string }
  | { kind: 'usb'; device: USBDevice }
  | { kind: 'stream'; stream: Duplex; name?: string; bytesPerSecond?: number; latencyMs?: number };

export function portName(ref: PortRef): string {
  switch (ref.kind) {
    case 'serial':
      return ref.path;
    case 'usb':
      return usbDeviceName(ref.device);
    case 'stream':
      return ref.name ?? 'stream';
  }
}

/** A closed transport for the port; the caller opens it. */
export function createTransport(ref: PortRef): Transport {
  switch (ref.kind) {
    case 'serial':
      return new SerialTransport({ path: ref.path, ...(ref.baudRate === undefined ? {} : { baudRate: ref.baudRate }) });
    case 'usb':
      return new UsbTransport(ref.device);
    case 'stream':
      return new StreamTransport(ref.stream, { name: portName(ref), ...(ref.bytesPerSecond === undefined ? {} : { bytesPerSecond: ref.bytesPerSecond }), ...(ref.latencyMs === undefined ? {} : { latencyMs: ref.latencyMs }) });
  }
}
