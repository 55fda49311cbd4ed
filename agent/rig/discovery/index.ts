export type { Discovery, DiscoveryEvents, UsbIdFilter } from './types.ts';
export { matchesFilter, parseUsbIdFilter } from './types.ts';
export { SerialDiscovery, canListSerialPorts, type SerialDiscoveryOptions, type SerialPortInfo } from './serialDiscovery.ts';
export { UsbDiscovery, type UsbDiscoveryOptions } from './usbDiscovery.ts';
export { MergedDiscovery } from './merged.ts';
