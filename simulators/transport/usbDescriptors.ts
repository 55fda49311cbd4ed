/**
 * The simulated hub's USB descriptors as WebUSB shows them: one configuration, one vendor-class
 * interface with a bulk IN and a bulk OUT endpoint (both number 1, as 0x81 and 0x01), full-speed
 * 64-byte packets. Plain objects shaped like the W3C USBConfiguration, USBInterface, ….
 */
export const HUB_INTERFACE = 0;
export const BULK_IN = 1;
export const BULK_OUT = 1;
const VENDOR_CLASS = 0xff;

export function hubConfiguration(interfaceName: string, claimed: () => boolean): USBConfiguration {
  const endpoints: USBEndpoint[] = [
    { endpointNumber: BULK_IN, direction: 'in', type: 'bulk', packetSize: 64 },
    { endpointNumber: BULK_OUT, direction: 'out', type: 'bulk', packetSize: 64 },
  ];
  const alternate: USBAlternateInterface = {
    alternateSetting: 0,
    interfaceClass: VENDOR_CLASS,
    interfaceSubclass: 0,
    interfaceProtocol: 0,
    interfaceName,
    endpoints,
  };
  const iface: USBInterface = {
    interfaceNumber: HUB_INTERFACE,
    alternate,
    alternates: [alternate],
    get claimed() {
      return claimed();
    },
  };
  return { configurationValue: 1, configurationName: 'maintenance', interfaces: [iface] };
}

/** Errors shaped as WebUSB raises them (DOMException names), worded like the `usb` package's. */
export function usbError(op: string, name: 'NetworkError' | 'NotFoundError' | 'InvalidStateError' | 'TimeoutError' | 'NotSupportedError', why: string): DOMException {
  return new DOMException(`${op} error: ${why}`, name);
}
