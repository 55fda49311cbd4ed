import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
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

/** CSV with a header row naming the columns. A malformed row is reported and skipped. */
export async function* csvRows(input: Readable): AsyncGenerator<SourceItem> {
  const skipped: SourceItem[] = [];
  const parser = input.pipe(
    parse({
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) skipped.push({ line: (err as { lines?: number }).lines ?? 0, error: `not valid CSV: ${err.message}` });
        return undefined;
      },
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield* skipped.splice(0);
      if (!header) {
        header = record;
        continue;
      }
      if (record.length !== header.length) {
        yield { line: info.lines, error: `has ${record.length} fields, the header has ${header.length}` };
        continue;
      }
      const row: RowInput = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = record[i];
      yield { line: info.lines, row };
    }
    yield* skipped.splice(0);
  } catch (err) {
    throw unreadable(err);
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
