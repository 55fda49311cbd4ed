/**
 * The simulated Communications Hub: a device (simulators/hub) that speaks the maintenance protocol
 * over a paced, noisy line (simulators/link), reached through an in-memory stream, a pseudo-terminal
 * or a WebUSB device (simulators/transport). See docs/simulator.md.
 */
export { SimulatedHub, type HubPort } from './hub/SimulatedHub.ts';
export { HUB_DEFAULTS, type SimulatedHubOptions } from './hub/options.ts';
export { makeTestIdentity, nonsenseIdentity, type HubIdentity } from './hub/identity.ts';
export type { HubSnapshot } from './hub/snapshot.ts';
export { FLASH_DEFAULTS, FLASH_INSTANT, BLOCK_SIZE, PAGE_SIZE, blockWriteMs, type FlashTiming } from './flash/timing.ts';
export { HubLink, LINK_DEFAULTS, LINK_INSTANT, type LinkOptions } from './link/link.ts';
export { createMemoryLink, type MemoryLink } from './transport/memory.ts';
export { openPtyHub, PtyHub } from './transport/pty.ts';
export { SimulatedUsbDevice, USB_DEFAULTS, type UsbDeviceOptions } from './transport/usbDevice.ts';
export { SimulatedUsb, createUsbDevice } from './transport/simulatedUsb.ts';
export { BULK_IN, BULK_OUT, HUB_INTERFACE } from './transport/usbDescriptors.ts';
export { parseFaultSpec, faultsForHub, mergeFaults } from './faults/parse.ts';
export { PROTOCOL_STEPS, type HubFaults, type ByteFaults, type Trigger, type PowerLossTrigger, type ProtocolStep } from './faults/types.ts';
export { startSimulatedHubs, DEFAULT_FACTORY_VERSION, type FleetOptions, type FleetHub, type SimulatedFleet } from './fleet/fleet.ts';
export { loadOrCreateManufacturerKey, type StoredManufacturerKey } from './fleet/keys.ts';
export { makeFirmwareImage, makeManufacturerKey, pseudoRandomPayload, type FirmwareOptions, type ManufacturerKey } from './fleet/firmware.ts';
export { RealClock, ManualClock, realClock, type Clock } from './clock/clock.ts';
export { fastTiming } from './timing.ts';
