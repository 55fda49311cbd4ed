import { londonDate } from '../charges/regulatoryYear.ts';

/** Today's date in the UK as `YYYY-MM-DD` (installation end dates are calendar dates). */
export function ukToday(now: Date): string {
  const [y, m, d] = londonDate(now);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
