import { accumulateChange, type HubChange, type Inventory } from '../inventory/Inventory.ts';
import type { HubRecord } from '../inventory/hub.ts';
import type { Custody } from '../inventory/values.ts';
import { mergeSnapshot } from './merge.ts';
import { checkRow, type SnapshotRow } from './rows.ts';
import type { SourceItem } from './sources.ts';

export interface ImportOptions {
  /** Who or what imports, for the history: e.g. `token:ab12:alice`. */
  by: string;
  batchSize: number;
  maxErrorsReported: number;
  defaultCustody: Custody;
  /** Called after each batch is stored, e.g. for progress. */
  onBatch?: (report: Readonly<ImportReport>) => void;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  invalid: number;
  /** The first `maxErrorsReported` invalid rows; all are counted in `invalid`. */
  errors: Array<{ line: number; reason: string }>;
  errorsTruncated: boolean;
  durationMs: number;
}

/**
 * Imports an SMI snapshot row by row, in batches: each batch reads the existing records it
 * touches, merges, and writes records, indexes, counts and history in one LevelDB batch. Only
 * one batch is in memory at a time, whatever the file's size. Invalid rows are reported and
 * skipped; the valid ones still go in.
 */
export async function importSnapshot(inventory: Inventory, source: AsyncIterable<SourceItem>, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const report: ImportReport = { rows: 0, created: 0, updated: 0, unchanged: 0, invalid: 0, errors: [], errorsTruncated: false, durationMs: 0 };
  const invalid = (line: number, reason: string): void => {
    report.invalid++;
    if (report.errors.length < options.maxErrorsReported) report.errors.push({ line, reason });
    else report.errorsTruncated = true;
  };
  let batch: SnapshotRow[] = [];
  // One batch is written while the next is parsed; at most two batches are in memory.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (rows: SnapshotRow[]): Promise<void> => {
    await writing;
    writing = writeBatch(inventory, rows, options, report);
  };
  for await (const item of source) {
    report.rows++;
    if ('error' in item) {
      invalid(item.line, item.error);
      continue;
    }
    const checked = checkRow(item.row);
    if (!checked.ok) {
      invalid(item.line, checked.reason);
      continue;
    }
    batch.push(checked.row);
    if (batch.length >= options.batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  await flush(batch);
  await writing;
  await inventory.sync();
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

async function writeBatch(inventory: Inventory, rows: SnapshotRow[], options: ImportOptions, report: ImportReport): Promise<void> {
  if (rows.length === 0) return;
  await inventory.lock.run(async () => {
    const at = new Date().toISOString();
    const ids = [...new Set(rows.map((r) => r.chfId))];
    const existing = new Map<string, HubRecord | undefined>((await inventory.getMany(ids)).map((h, i) => [ids[i]!, h]));
    const changes = new Map<string, HubChange>();
    for (const row of rows) {
      const before = existing.get(row.chfId);
      const change = mergeSnapshot(before, row, { at, by: options.by, defaultCustody: options.defaultCustody });
      if (!change) {
        report.unchanged++;
        continue;
      }
      if (before) report.updated++;
      else report.created++;
      // A hub twice in one batch: the second row applies on top of the first.
      accumulateChange(changes, change);
      existing.set(row.chfId, change.after);
    }
    await inventory.commit([...changes.values()]);
  });
  options.onBatch?.(report);
}
