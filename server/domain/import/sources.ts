import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse/sync';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import type { RowInput } from './rows.ts';
import { JsonArraySplitter } from './jsonArraySplitter.ts';

/** One row of an import file, or why it could not even be read as a row. */
export type SourceItem = { line: number; row: RowInput } | { line: number; error: string };

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function importRows(input: Readable, format: ImportFormat): AsyncGenerator<SourceItem> {
  return format === 'csv' ? csvRows(input) : jsonRows(input);
}

/**
 * CSV with a header row naming the columns, one hub a line. An SMI snapshot's fields never span
 * lines, so each line is read on its own: a malformed line (a stray or unclosed quote, say) is
 * reported by its number and the lines after it still go in. (A whole-file CSV parser would take
 * every line after an unclosed quote into one field.)
 */
export async function* csvRows(input: Readable): AsyncGenerator<SourceItem> {
  // Its iterator rejects when the input fails, so a file cut off part-way is not taken as whole.
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: string[] | undefined;
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const text = (n === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      const fields = csvFields(text);
      if (typeof fields === 'string') {
        yield { line: n, error: fields };
      } else if (!header) {
        header = fields;
      } else if (fields.length !== header.length) {
        yield { line: n, error: `has ${fields.length} fields, the header has ${header.length}` };
      } else {
        const row: RowInput = {};
        for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i];
        yield { line: n, row };
      }
    }
  } catch (err) {
    throw unreadable(err);
  }
}

/** One line's fields, or why it is not a CSV record. A line with quotes goes to csv-parse. */
function csvFields(text: string): string[] | string {
  if (!text.includes('"')) return text.split(',').map((f) => f.trim());
  try {
    const records = parseCsv(text, { trim: true, relax_column_count: true }) as string[][];
    return records[0] ?? [];
  } catch (err) {
    return `not valid CSV: ${(err as Error).message}`;
  }
}

/** A JSON array of row objects, or JSON Lines (one object a line), streamed object by object. */
export async function* jsonRows(input: Readable): AsyncGenerator<SourceItem> {
  const splitter = new JsonArraySplitter();
  input.setEncoding('utf8'); // decodes characters split across chunks
  try {
    for await (const chunk of input) {
      for (const item of splitter.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))) yield parseItem(item);
    }
    for (const item of splitter.end()) yield parseItem(item);
  } catch (err) {
    throw unreadable(err);
  }
}

function parseItem(item: { line: number; text: string } | { line: number; error: string }): SourceItem {
  if ('error' in item) return item;
  try {
    const value: unknown = JSON.parse(item.text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { line: item.line, row: value as RowInput };
    return { line: item.line, error: 'not a JSON object' };
  } catch (err) {
    return { line: item.line, error: `not valid JSON: ${(err as Error).message}` };
  }
}

function unreadable(err: unknown): HubflashError {
  if (err instanceof HubflashError) return err;
  return new HubflashError(ErrorCode.ImportUnreadable, `The import file cannot be read: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
}
