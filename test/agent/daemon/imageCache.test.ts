import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageCache } from '../../../agent/daemon/index.ts';
import { ErrorCode, HubflashError, isHubflashError } from '../../../protocol/errors/index.ts';
import { generateManufacturerKeyPair } from '../../../protocol/image/index.ts';
import type { JobAssignment } from '../../../protocol/mqtt/index.ts';
import { makeImage, type TestImage } from '../../server/helpers/images.ts';
import { startTestServer, type TestServer } from '../../server/helpers/server.ts';
import { freePort, onCleanup, tempDir, waitFor } from './helpers.ts';

interface Seen {
  path: string;
  range?: string;
  ifRange?: string;
  status: number;
  contentRange?: string;
}

interface TestHttp {
  base: string;
  seen: Seen[];
  files: Map<string, { bytes: Uint8Array; etag: string }>;
  /** The next response stalls after this many body bytes, until `drop()`. */
  stallNext: number | undefined;
  /** Kills the stalled connections: the download breaks. */
  drop(): void;
}

/**
 * An HTTP server of the test's own: it forwards to `upstream` (the real server) or serves `files`
 * itself (Range honoured, If-Range against its own ETag), records every request, and can stall a
 * response mid-body and then kill its connection: the seam a broken download goes through.
 */
async function testHttp(upstream?: string): Promise<TestHttp> {
  const stalled: Array<{ destroy(): void }> = [];
  const state: TestHttp = { base: '', seen: [], files: new Map(), stallNext: undefined, drop: () => stalled.splice(0).forEach((s) => s.destroy()) };
  const answer = (res: ServerResponse, status: number, headers: Record<string, string | number | string[] | undefined>, body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, seen: Seen): void => {
    seen.status = status;
    if (typeof headers['content-range'] === 'string') seen.contentRange = headers['content-range'];
    state.seen.push(seen);
    res.writeHead(status, headers);
    const cut = state.stallNext;
    state.stallNext = undefined;
    void (async () => {
      let sent = 0;
      for await (const chunk of body) {
        if (cut !== undefined && sent + chunk.length >= cut) {
          res.write(chunk.subarray(0, cut - sent));
          if (res.socket) stalled.push(res.socket);
          if (!(body instanceof Array)) (body as IncomingMessage).destroy();
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      }
      res.end();
    })();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen: Seen = { path: req.url ?? '', status: 0, ...(req.headers.range ? { range: req.headers.range } : {}), ...(typeof req.headers['if-range'] === 'string' ? { ifRange: req.headers['if-range'] } : {}) };
    if (upstream) {
      const forward = httpRequest(`${upstream}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } }, (up) => answer(res, up.statusCode ?? 502, up.headers, up, seen));
      forward.end();
      return;
    }
    const file = state.files.get(req.url ?? '');
    if (!file) return answer(res, 404, {}, [], seen);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && (req.headers['if-range'] === undefined || req.headers['if-range'] === file.etag) ? Number(m[1]) : undefined;
    const body = file.bytes.subarray(start ?? 0);
    const headers = { 'content-length': body.length, etag: file.etag, ...(start !== undefined ? { 'content-range': `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}` } : {}) };
    answer(res, start !== undefined ? 206 : 200, headers, [body.slice(0, 8192), body.slice(8192)], seen);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return state;
}

async function failure(p: Promise<unknown>): Promise<HubflashError> {
  const err = await p.then(
    () => new Error('expected the image to be refused'),
    (e: unknown) => e,
  );
  if (!isHubflashError(err)) throw err;
  return err;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const targetOf = (image: TestImage, url = `/api/v1/firmware/${image.sha256}/image`): JobAssignment['target'] => ({ version: image.version, hash: image.sha256, size: image.bytes.length, url });

describe('ImageCache', () => {
  let t: TestServer;
  let image: TestImage;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01'] });
    image = makeImage(t.manufacturer.privateKeyPem, 0x02010000, 200 * 1024);
    const added = await t.api('POST', '/api/v1/firmware?approve=true&installationEndDate=2030-03-31', { body: image.bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  });
  afterAll(() => t.stop());

  const cacheAt = (dir: string, baseUrl: string, over: { password?: string; trustedKeys?: string[] } = {}) =>
    new ImageCache({ dir, baseUrl, username: 'RIG-01', password: over.password ?? t.secrets['RIG-01']!, trustedKeys: over.trustedKeys ?? [t.manufacturer.publicKeyPem] });
  const realBase = () => `http://127.0.0.1:${t.addresses.http}`;

  it('downloads from the server with the rig credentials, checks hash and signature, and serves later gets from its cache', async () => {
    const proxy = await testHttp(realBase());
    const dir = tempDir();
    const cache = cacheAt(dir, proxy.base);
    const [a, b, c] = await Promise.all([cache.get(targetOf(image)), cache.get(targetOf(image)), cache.get(targetOf(image))]);
    expect(a.sha256).toBe(image.sha256);
    expect(a.size).toBe(image.bytes.length);
    expect(a.versionText).toBeTruthy();
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(proxy.seen).toEqual([{ path: targetOf(image).url, status: 200 }]);
    expect(readdirSync(dir)).toEqual([`${image.sha256}.img`]);
    expect(await cache.get(targetOf(image))).toBe(a);
    // Another cache on the same folder (the agent restarted): from disk, no request at all.
    const again = await cacheAt(dir, proxy.base).get(targetOf(image));
    expect(again.sha256).toBe(image.sha256);
    expect(proxy.seen).toHaveLength(1);
  });

  it('resumes a download broken mid-way with a Range request the real server answers with the rest', async () => {
    const proxy = await testHttp(realBase());
    const dir = tempDir();
    const cache = cacheAt(dir, proxy.base);
    proxy.stallNext = 70_000;
    const part = path.join(dir, `${image.sha256}.img.part`);
    const first = cache.get(targetOf(image));
    await waitFor(() => existsSync(part) && statSync(part).size === 70_000, 'the first 70 000 bytes on disk');
    proxy.drop();
    const broken = await failure(first);
    expect(broken.code).toBe(ErrorCode.ImageDownloadFailed);
    expect(broken.message).toContain('broke off');
    const have = statSync(part).size;
    expect(have).toBe(70_000);

    const flashImage = await cache.get(targetOf(image));
    expect(flashImage.sha256).toBe(image.sha256);
    const size = image.bytes.length;
    expect(proxy.seen[1]).toEqual({ path: targetOf(image).url, range: `bytes=${have}-`, ifRange: `"${image.sha256}"`, status: 206, contentRange: `bytes ${have}-${size - 1}/${size}` });
    expect(existsSync(part)).toBe(false);
  });

  it('keeps resuming across several breaks, and starts again when the server says the file changed', async () => {
    const own = await testHttp();
    own.files.set('/img', { bytes: image.bytes, etag: `"${image.sha256}"` });
    const dir = tempDir();
    const cache = cacheAt(dir, own.base);
    const target = targetOf(image, `${own.base}/img`);
    const starts: number[] = [];
    const part = path.join(dir, `${image.sha256}.img.part`);
    for (let i = 1; i <= 3; i++) {
      own.stallNext = 30_000;
      const attempt = cache.get(target);
      await waitFor(() => existsSync(part) && statSync(part).size === 30_000 * i, `${30_000 * i} bytes on disk`);
      own.drop();
      expect((await failure(attempt)).code).toBe(ErrorCode.ImageDownloadFailed);
      starts.push(statSync(part).size);
    }
    expect(starts).toEqual([30_000, 60_000, 90_000]);
    expect(own.seen.map((s) => s.range)).toEqual([undefined, `bytes=${starts[0]}-`, `bytes=${starts[1]}-`]);
    // The server's copy now has another ETag: If-Range fails, it sends the whole file (200), which replaces the part.
    own.files.set('/img', { bytes: image.bytes, etag: '"another"' });
    expect((await cache.get(target)).sha256).toBe(image.sha256);
    expect(own.seen.at(-1)).toMatchObject({ range: `bytes=${starts[2]}-`, status: 200 });
  });

  it('stops a stalled download at once when the rig shuts down, keeping what arrived for the next start', async () => {
    const own = await testHttp();
    own.files.set('/img', { bytes: image.bytes, etag: `"${image.sha256}"` });
    const dir = tempDir();
    const stop = new AbortController();
    const cache = new ImageCache({ dir, baseUrl: own.base, username: 'RIG-01', password: 'x', trustedKeys: [t.manufacturer.publicKeyPem], signal: stop.signal });
    own.stallNext = 40_000;
    const part = path.join(dir, `${image.sha256}.img.part`);
    const download = cache.get(targetOf(image, `${own.base}/img`));
    await waitFor(() => existsSync(part) && statSync(part).size === 40_000, '40 000 bytes on disk');
    stop.abort(); // the server keeps the connection open: only the abort can end this
    expect((await failure(download)).code).toBe(ErrorCode.ImageDownloadFailed);
    expect(statSync(part).size).toBe(40_000);
  });

  it('discards a download whose bytes do not match the job with ImageDownloadMismatch, and downloads afresh', async () => {
    const own = await testHttp();
    const altered = image.bytes.slice();
    altered[5000] = altered[5000]! ^ 0xff;
    own.files.set('/img', { bytes: altered, etag: '"x"' });
    own.files.set('/short', { bytes: image.bytes.subarray(0, 1000), etag: '"x"' });
    const dir = tempDir();
    const cache = cacheAt(dir, own.base);
    const mismatch = await failure(cache.get(targetOf(image, `${own.base}/img`)));
    expect(mismatch.code).toBe(ErrorCode.ImageDownloadMismatch);
    expect(mismatch.context).toEqual({ hash: image.sha256 });
    expect(readdirSync(dir)).toEqual([]);
    expect((await failure(cache.get(targetOf(image, `${own.base}/short`)))).code).toBe(ErrorCode.ImageDownloadMismatch);
    expect(readdirSync(dir)).toEqual([]);
    own.files.set('/img', { bytes: image.bytes, etag: '"x"' });
    expect((await cache.get(targetOf(image, `${own.base}/img`))).sha256).toBe(image.sha256);
    expect(own.seen.map((s) => s.range)).toEqual([undefined, undefined, undefined]);
  });

  it('does not use a cached file that no longer hashes to the job (another signed image put in its place): removed, downloaded again', async () => {
    const proxy = await testHttp(realBase());
    const dir = tempDir();
    const other = makeImage(t.manufacturer.privateKeyPem, 0x02020000, 10 * 1024);
    writeFileSync(path.join(dir, `${image.sha256}.img`), other.bytes);
    const cache = cacheAt(dir, proxy.base);
    const mismatch = await failure(cache.get(targetOf(image)));
    expect([mismatch.code, mismatch.message]).toEqual([ErrorCode.ImageDownloadMismatch, expect.stringContaining('changed on disk')]);
    expect(readdirSync(dir)).toEqual([]);
    expect(proxy.seen).toEqual([]);
    expect((await cache.get(targetOf(image))).sha256).toBe(image.sha256);
    expect(proxy.seen).toHaveLength(1);
  });

  it('refuses an image whose signature does not verify against the trusted keys', async () => {
    // Signed by the manufacturer, but the rig trusts another key.
    const stranger = generateManufacturerKeyPair();
    const wrongKey = await failure(cacheAt(tempDir(), realBase(), { trustedKeys: [stranger.publicKeyPem] }).get(targetOf(image)));
    expect(wrongKey.code).toBeGreaterThanOrEqual(200);
    expect(wrongKey.code).toBeLessThan(300);
    expect(wrongKey.code).toBe(ErrorCode.ImageWrongKey);
    // Altered after signing, served with a hash that matches the altered bytes.
    const own = await testHttp();
    const altered = makeImage(t.manufacturer.privateKeyPem, 0x02020000, 4096).bytes;
    altered[1000] = altered[1000]! ^ 0x01;
    own.files.set('/altered', { bytes: altered, etag: '"a"' });
    const target = { version: '02020000', hash: sha(altered), size: altered.length, url: `${own.base}/altered` };
    expect((await failure(cacheAt(tempDir(), own.base).get(target))).code).toBe(ErrorCode.ImageBadSignature);
  });

  it('fails with ImageDownloadFailed and the HTTP status for a wrong secret or an unknown image, and without one when nothing answers', async () => {
    const unauthorised = await failure(cacheAt(tempDir(), realBase(), { password: 'wrong' }).get(targetOf(image)));
    expect(unauthorised.code).toBe(ErrorCode.ImageDownloadFailed);
    expect(unauthorised.context).toMatchObject({ status: 401 });
    const unknown = { ...targetOf(image), hash: 'b'.repeat(64), url: `/api/v1/firmware/${'b'.repeat(64)}/image` };
    const notFound = await failure(cacheAt(tempDir(), realBase()).get(unknown));
    expect(notFound.code).toBe(ErrorCode.ImageDownloadFailed);
    expect(notFound.context).toMatchObject({ status: 404 });
    const unreachable = await failure(cacheAt(tempDir(), `http://127.0.0.1:${await freePort()}`).get(targetOf(image)));
    expect(unreachable.code).toBe(ErrorCode.ImageDownloadFailed);
    expect(unreachable.context.status).toBeUndefined();
  });
});
