/** RFC 4180 CSV: a header row, then one row per record, CRLF line ends. */
export function csvField(value: string | number | boolean | undefined | null): string {
  const s = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv<T>(columns: readonly string[], rows: Iterable<T>, cells: (row: T) => Array<string | number | boolean | undefined | null>): string {
  const out: string[] = [columns.join(',')];
  for (const row of rows) out.push(cells(row).map(csvField).join(','));
  return `${out.join('\r\n')}\r\n`;
}
