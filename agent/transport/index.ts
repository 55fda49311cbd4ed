export type { Transport, TransportEvents, TransportInfo } from './transport.ts';
export { DEFAULT_BAUD_RATE, SERIAL_LATENCY_MS, serialBytesPerSecond } from './transport.ts';
export { SerialTransport, type SerialTransportOptions } from './serialTransport.ts';
export { UsbTransport, usbDeviceName, type UsbTransportOptions } from './usbTransport.ts';
export { StreamTransport, type StreamTransportOptions } from './streamTransport.ts';
export { createTransport, portName, type PortRef } from './port.ts';
