import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { JobAssignment } from '../../protocol/mqtt/index.ts';
import { prepareImage, type FlashImage } from '../session/index.ts';

export interface ImageCacheOptions {
  dir: string;
  /** The server's HTTP base, e.g. http://server:8080; job URLs may be paths on it. */
  baseUrl: string;
  username: string;
  password: string;
  trustedKeys: readonly string[];
  /** Stops a download in progress (the rig is shutting down); what arrived stays for next time. */
  signal?: AbortSignal;
}

type Target = JobAssignment['target'];

/**
 * Job images on the rig's disk, by SHA-256. A download resumes where a broken one stopped
 * (HTTP Range), and an image is used only once its size, SHA-256 and manufacturer signature all
 * check. Every hub of the same job shares one verified image in memory.
 */
export class ImageCache {
  private readonly ready = new Map<string, Promise<FlashImage>>();

  constructor(private readonly o: ImageCacheOptions) {
    mkdirSync(o.dir, { recursive: true });
  }

  get(target: Target): Promise<FlashImage> {
    let pending = this.ready.get(target.hash);
    if (!pending) {
      pending = this.load(target);
      // A failed load is forgotten so the next job asks again.
      pending.catch(() => this.ready.delete(target.hash));
      this.ready.set(target.hash, pending);
    }
    return pending;
  }

  private async load(target: Target): Promise<FlashImage> {
    const file = path.join(this.o.dir, `${target.hash}.img`);
    if (!existsSync(file)) await this.download(target, file);
    const bytes = new Uint8Array(readFileSync(file));
    if (sha256(bytes) !== target.hash) {
      rmSync(file, { force: true });
      throw mismatch(target, 'the cached image changed on disk');
    }
    return prepareImage(bytes, this.o.trustedKeys);
  }

  private async download(target: Target, file: string): Promise<void> {
    const part = `${file}.part`;
    const have = existsSync(part) ? statSync(part).size : 0;
    const url = new URL(target.url, this.o.baseUrl).toString();
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${this.o.username}:${this.o.password}`).toString('base64')}`,
      ...(have > 0 && have < target.size ? { range: `bytes=${have}-`, 'if-range': `"${target.hash}"` } : {}),
    };
    let response: Response;
    try {
      response = await fetch(url, { headers, ...(this.o.signal ? { signal: this.o.signal } : {}) });
    } catch (err) {
      throw new HubflashError(ErrorCode.ImageDownloadFailed, `cannot download image ${target.hash.slice(0, 12)}… from ${url}: ${(err as Error).message}`, { url });
    }
    if (!response.ok || !response.body) {
      throw new HubflashError(ErrorCode.ImageDownloadFailed, `the server answered ${response.status} for image ${target.hash.slice(0, 12)}… at ${url}`, { url, status: response.status });
    }
    // 206 continues the part file; 200 means the server sent it whole, so start the file again.
    const append = response.status === 206;
    // Each chunk is written as it arrives (not through a pipeline, whose error path throws away
    // what the file stream still buffers), so what arrived stays in the part file and the next
    // attempt asks only for the rest.
    const out = await open(part, append ? 'a' : 'w');
    try {
      for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) await out.write(chunk as Uint8Array);
    } catch (err) {
      throw new HubflashError(ErrorCode.ImageDownloadFailed, `the download of image ${target.hash.slice(0, 12)}… broke off: ${(err as Error).message}; it resumes on the next try`, { url });
    } finally {
      await out.close();
    }
    const bytes = readFileSync(part);
    if (bytes.length !== target.size || sha256(bytes) !== target.hash) {
      rmSync(part, { force: true });
      throw mismatch(target, `downloaded ${bytes.length} bytes with SHA-256 ${sha256(bytes).slice(0, 12)}…`);
    }
    renameSync(part, file);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function mismatch(target: Target, what: string): HubflashError {
  return new HubflashError(ErrorCode.ImageDownloadMismatch, `image ${target.hash.slice(0, 12)}… (${target.size} bytes) does not check: ${what}; it will be downloaded again`, {
    hash: target.hash,
  });
}
