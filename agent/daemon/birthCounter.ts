import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';

/**
 * The rig's birth/death sequence number: one more on every connection to the broker, kept on
 * disk so it keeps growing across restarts. The server ignores a status with a lower number than
 * it has seen, so a late last will from an old connection cannot mark a reconnected rig offline.
 */
export class BirthCounter {
  private readonly file: string;
  private value: number;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'birth-seq');
    this.value = readCount(this.file);
  }

  get current(): number {
    return this.value;
  }

  /** Moves to the next number and makes it durable before returning it. */
  next(): number {
    this.value += 1;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, String(this.value));
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    return this.value;
  }
}

function readCount(file: string): number {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}
