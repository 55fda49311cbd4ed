import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Image files in the data dir, named by their SHA-256: content-addressed, written once. */
export class ImageFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return path.join(this.dir, `${sha256}.bin`);
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** Writes and syncs the file under a temporary name, then renames it into place. */
  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    const final = this.pathOf(sha256);
    const tmp = `${final}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.write(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  }

  size(sha256: string): number {
    return statSync(this.pathOf(sha256)).size;
  }

  /** Bytes `start`..`end` inclusive. */
  read(sha256: string, start: number, end: number): Readable {
    return createReadStream(this.pathOf(sha256), { start, end });
  }
}
