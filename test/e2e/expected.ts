/** Hubs of the e2e world (8 hubs of the demo's) that end verified (incl. already on the target) and that are refused. */
export const EXPECTED = { verified: 7, ineligible: 1 };

/** How a settled order's progress differs from what the e2e world should end with; empty when it does not. */
export function orderProblems(progress: Record<string, number>): string[] {
  const problems: string[] = [];
  if (progress.verified !== EXPECTED.verified) problems.push(`${progress.verified ?? 0} hubs verified, expected ${EXPECTED.verified}`);
  if (progress.ineligible !== EXPECTED.ineligible) problems.push(`${progress.ineligible ?? 0} ineligible, expected ${EXPECTED.ineligible}`);
  if ((progress.failed ?? 0) > 0) problems.push(`${progress.failed} failed`);
  return problems;
}
