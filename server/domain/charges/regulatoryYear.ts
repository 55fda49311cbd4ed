import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';

/**
 * A Regulatory Year runs from 1 April to 31 March, in UK local time (midnight at the start of
 * 1 April is 23:00 UTC on 31 March under BST). It is named by its two calendar years: `2024/25`.
 */
export interface RegulatoryYear {
  /** `2024/25` */
  label: string;
  /** The calendar year in which it starts (2024 for 2024/25). */
  startYear: number;
}

const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The UK calendar date of an instant: [year, month 1-12, day]. */
export function londonDate(at: Date): [number, number, number] {
  const parts = LONDON_DATE.formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day')];
}

export function regulatoryYearOf(at: Date | string): RegulatoryYear {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) {
    throw new HubflashError(ErrorCode.ReportRangeInvalid, `${JSON.stringify(String(at))} is not a date and time`, { value: String(at) });
  }
  const [year, month] = londonDate(date);
  return regulatoryYear(month >= 4 ? year : year - 1);
}

export function regulatoryYear(startYear: number): RegulatoryYear {
  return { label: `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`, startYear };
}

/** Reads `2024/25`, `2024-25` (for URLs) or `2024` (the starting year); throws TariffInvalid otherwise. */
export function parseRegulatoryYear(text: string): RegulatoryYear {
  const m = /^(\d{4})(?:[/-](\d{2}))?$/.exec(String(text).trim());
  const start = m ? Number(m[1]) : NaN;
  if (!m || (m[2] !== undefined && Number(m[2]) !== (start + 1) % 100)) {
    throw new HubflashError(
      ErrorCode.TariffInvalid,
      `${JSON.stringify(String(text))} is not a Regulatory Year: write it as 2024/25 (1 April 2024 to 31 March 2025)`,
      { value: text },
    );
  }
  return regulatoryYear(start);
}
