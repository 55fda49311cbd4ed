export { HubSession, type SessionOptions, type SessionProgress, type SessionReport } from './session.ts';
export { prepareImage, type FlashImage } from './image.ts';
export { MemoryStore, type Checkpoint, type SessionStore } from './checkpoint.ts';
export { DEFAULT_POLICY, type SessionPolicy } from './policy.ts';
export { PHASES, type Phase, type PhaseDurations, type Outcome } from './phases.ts';
export { toFlashResult, failedBeforeSession, type FlashResult } from './result.ts';
export { checkEligibility } from './eligibility.ts';
export { checkIdentity, hubInfo, type HubInfo } from './identity.ts';
export { probeHub } from './probe.ts';
