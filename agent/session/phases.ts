/** The steps of one hub's session, in order (docs/agent.md). */
export const PHASES = ['connect', 'identify', 'check', 'transfer', 'verify', 'activate', 'confirm', 'done'] as const;
export type Phase = (typeof PHASES)[number];

/** Milliseconds spent in each phase, summed over every attempt and resume. */
export type PhaseDurations = Partial<Record<Exclude<Phase, 'done'>, number>>;

export type Outcome = 'verified' | 'already-current' | 'failed' | 'ineligible';
