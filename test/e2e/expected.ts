/** Hubs of the e2e world (8 hubs of the demo's) that end verified (incl. already on the target) and that are refused. */
export const EXPECTED = { verified: 7, ineligible: 1 };
