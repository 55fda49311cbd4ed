import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { Random } from '../random.ts';
import { HubFlash } from './hubFlash.ts';
import type { NorRegion } from './nor.ts';
import { SettingsStore } from './settings.ts';
import { BLOCK_SIZE } from './timing.ts';

/**
 * A hub's flash in a folder: `slot0.bin`, `slot1.bin` (the slots' bytes, block by block, up to the
 * last block ever written) and `settings.json` (both settings copies and the operation count).
 * Slots are written before settings, so a saved committed offset never points past saved bytes.
 */
const image = z.object({ version: z.number().int().min(0), size: z.number().int().min(0), hash: z.string() });
const record = z.object({
  runningSlot: z.union([z.literal(0), z.literal(1)]),
  running: image,
  staged: image
    .extend({ signature: z.string(), committedOffset: z.number().int().min(0) })
    .nullable(),
  trial: z.object({ attempted: z.boolean() }).nullable(),
  lastBootFailed: z.boolean(),
});
const copy = z.object({ seq: z.number().int(), intact: z.boolean(), record }).nullable();
const settingsFile = z.object({ format: z.literal(1), opCount: z.number().int().min(0), copies: z.tuple([copy, copy]) });

const SETTINGS = 'settings.json';
const ERASED = Buffer.alloc(BLOCK_SIZE, 0xff);

export function hasFlashState(dir: string): boolean {
  return existsSync(path.join(dir, SETTINGS));
}

export function loadFlash(dir: string, slotSize: number, rng: Random): HubFlash {
  const file = path.join(dir, SETTINGS);
  let parsed: z.infer<typeof settingsFile>;
  try {
    parsed = settingsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new HubflashError(ErrorCode.SimStateCorrupt, `Cannot read the simulated hub's settings ${file}: ${describe(err)}`, { file }, { cause: err });
  }
  const flash = new HubFlash(slotSize, rng, new SettingsStore(parsed.copies));
  flash.opCount = parsed.opCount;
  flash.slots.forEach((slot, i) => loadSlot(slot, path.join(dir, `slot${i}.bin`)));
  return flash;
}

export function saveFlash(dir: string, flash: HubFlash): void {
  try {
    mkdirSync(dir, { recursive: true });
    flash.slots.forEach((slot, i) => saveSlot(slot, path.join(dir, `slot${i}.bin`)));
    const body = { format: 1, opCount: flash.opCount, copies: flash.settings.snapshot() };
    const file = path.join(dir, SETTINGS);
    writeFileSync(`${file}.tmp`, JSON.stringify(body));
    renameSync(`${file}.tmp`, file);
  } catch (err) {
    throw new HubflashError(ErrorCode.SimStateUnwritable, `Cannot save the simulated hub's flash in ${dir}: ${describe(err)}`, { dir }, { cause: err });
  }
}

function loadSlot(slot: NorRegion, file: string): void {
  if (!existsSync(file)) return;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new HubflashError(ErrorCode.SimStateCorrupt, `Cannot read slot file ${file}: ${describe(err)}`, { file }, { cause: err });
  }
  if (bytes.length % BLOCK_SIZE !== 0 || bytes.length > slot.blockCount * BLOCK_SIZE) {
    throw new HubflashError(
      ErrorCode.SimStateCorrupt,
      `Slot file ${file} is ${bytes.length} bytes: not whole 4 KiB blocks within the ${slot.size}-byte slot`,
      { file, size: bytes.length },
    );
  }
  for (let a = 0; a < bytes.length; a += BLOCK_SIZE) slot.restoreBlock(a / BLOCK_SIZE, bytes.subarray(a, a + BLOCK_SIZE));
  slot.dirty.clear();
}

/**
 * Positional writes of the changed blocks only. Erased blocks are written as 0xFF, and so is any
 * gap before a block past the file's end (a hole would read back as 0x00, which is not erased).
 */
function saveSlot(slot: NorRegion, file: string): void {
  if (slot.dirty.size === 0 && existsSync(file)) return;
  const fd = openSync(file, existsSync(file) ? 'r+' : 'w');
  try {
    let blocksInFile = Math.ceil(fstatSync(fd).size / BLOCK_SIZE);
    for (const index of [...slot.dirty].sort((a, b) => a - b)) {
      const bytes = slot.block(index);
      if (bytes === undefined && index >= blocksInFile) continue;
      for (; blocksInFile < index; blocksInFile++) writeSync(fd, ERASED, 0, BLOCK_SIZE, blocksInFile * BLOCK_SIZE);
      writeSync(fd, bytes ?? ERASED, 0, BLOCK_SIZE, index * BLOCK_SIZE);
      blocksInFile = Math.max(blocksInFile, index + 1);
    }
  } finally {
    closeSync(fd);
  }
  slot.dirty.clear();
}

function describe(err: unknown): string {
  if (err instanceof z.ZodError) return err.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ');
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
