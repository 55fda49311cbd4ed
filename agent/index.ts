/**
 * The rig agent's flashing engine (docs/agent.md). Layers, each using only the one below:
 * transport (serial, USB, stream) → link (frames, reply matching) → session (one hub's state
 * machine) → rig (scheduling, discovery, journal).
 */
export * from './rig/index.ts';
export {
  HubSession,
  prepareImage,
  probeHub,
  MemoryStore,
  DEFAULT_POLICY,
  PHASES,
  type FlashImage,
  type FlashResult,
  type SessionProgress,
  type SessionReport,
  type SessionStore,
  type SessionPolicy,
  type Checkpoint,
  type Phase,
  type PhaseDurations,
  type Outcome,
  type HubInfo,
} from './session/index.ts';
export { Link, type LinkOptions } from './link/index.ts';
export {
  createTransport,
  portName,
  SerialTransport,
  UsbTransport,
  StreamTransport,
  type PortRef,
  type Transport,
  type TransportInfo,
} from './transport/index.ts';
export { silentLogger, type AgentLogger } from './log.ts';
