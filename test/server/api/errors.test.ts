import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../../protocol/errors/index.ts';
import { generateManufacturerKeyPair } from '../../../protocol/image/index.ts';
import { revokeToken } from '../../../server/admin.ts';
import type { ServerPlugin } from '../../../server/index.ts';
import { makeImage } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MAX_IMAGE = 30_000;
const octets = { 'content-type': 'application/octet-stream' };

/** Routes that fail as a plugin's routes may: with a HubflashError of a given code, or a bug. */
const failing: ServerPlugin = {
  name: 'failing',
  setup: () => [
    {
      method: 'GET',
      url: '/test/throw',
      summary: 'Throws a HubflashError',
      tags: ['test'],
      access: 'public',
      query: z.strictObject({ code: z.coerce.number().int(), context: z.enum(['yes', 'no']).default('no') }),
      responses: {},
      handler: async ({ query }: { query: { code: number; context: string } }) => {
        throw new HubflashError(query.code as ErrorCode, 'thrown', query.context === 'yes' ? { rigId: 'RIG-07' } : {});
      },
    },
    {
      method: 'GET',
      url: '/test/bug',
      summary: 'Fails as a bug would',
      tags: ['test'],
      access: 'public',
      responses: {},
      handler: async () => {
        throw new Error('cannot reach db with password hunter2');
      },
    },
  ] as never,
};

describe('API errors', () => {
  let t: TestServer;
  let imageOverhead: number;
  beforeAll(async () => {
    // The bytes an image has beyond its payload (header and signature), for images of exact sizes.
    imageOverhead = makeImage(generateManufacturerKeyPair().privateKeyPem, 0x02010000, 1000).bytes.length - 1000;
    t = await startTestServer({ config: { http: { port: 0, host: '127.0.0.1', maxImageBytes: MAX_IMAGE } }, serverOptions: { plugins: [failing] } });
  });
  afterAll(() => t.stop());

  it.each([
    [ErrorCode.TokenNotFound, 404],
    [ErrorCode.RigNotFound, 404],
    [ErrorCode.RigAlreadyExists, 409],
    [ErrorCode.PayloadTooLarge, 413],
    [ErrorCode.NoTrustedKeys, 503],
    [ErrorCode.DataDirLocked, 503],
    [ErrorCode.ImportUnreadable, 400],
    [ErrorCode.InvalidRigId, 400],
    [ErrorCode.InvalidSscc, 400],
    [ErrorCode.ImageTruncated, 422],
    [ErrorCode.ServerConfigInvalid, 500],
  ])('answers error code %i with HTTP %i, the code, name and message, and context only when there is some', async (code, status) => {
    const plain = await t.api('GET', `/api/v1/test/throw?code=${code}`, { token: null });
    const hf = `HF${String(code).padStart(4, '0')}`;
    expect([plain.status, plain.body]).toEqual([status, { error: { code: hf, name: ErrorCode[code], message: `thrown (${hf})` } }]);
    const withContext = await t.api('GET', `/api/v1/test/throw?code=${code}&context=yes`, { token: null });
    expect(withContext.body.error.context).toEqual({ rigId: 'RIG-07' });
  });

  it("hides an unexpected error's details from the caller and logs them", async () => {
    const res = await t.api('GET', '/api/v1/test/bug', { token: null });
    expect([res.status, res.body]).toEqual([500, { error: { code: 'HF0625', name: 'ServerInternal', message: 'Internal server error (see the server log) (HF0625)' } }]);
    const line = t.logs.find((l) => l.msg === 'request failed' && (l.err as { message?: string }).message?.includes('hunter2'));
    expect(line).toMatchObject({ level: 50, err: { type: 'Error', message: 'cannot reach db with password hunter2' } });
  });

  it('asks for a bearer token on 401 only, takes the scheme in any case, and says which role a refused token lacks', async () => {
    const none = await t.api('GET', '/api/v1/devices/stats', { token: null });
    expect([none.status, none.headers.get('www-authenticate'), none.body.error.code]).toEqual([401, 'Bearer', 'HF0603']);
    const lower = await t.api('GET', '/api/v1/devices/stats', { token: null, headers: { authorization: `bearer ${t.tokens.viewer}` } });
    expect(lower.status).toBe(200);
    const refused = await t.api('POST', '/api/v1/firmware/00/approve', { token: t.tokens.operator });
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([403, null]);
    expect(refused.body.error).toEqual({ code: 'HF0604', name: 'Forbidden', message: 'This needs the admin role; the token "olga" has operator (HF0604)', context: { needed: 'admin', role: 'operator' } });
  });

  it('refuses a token revoked while the server runs, at once', async () => {
    const { createToken } = await import('../../../server/admin.ts');
    const { token, id } = await createToken(t.dataDir, 'temp', 'viewer', 'test');
    expect((await t.api('GET', '/api/v1/devices/stats', { token })).status).toBe(200);
    await revokeToken(t.dataDir, id, 'test');
    const res = await t.api('GET', '/api/v1/devices/stats', { token });
    expect([res.status, res.body.error.name]).toEqual([401, 'Unauthenticated']);
  });

  it('answers an unknown route with 404 and names it without its query', async () => {
    const res = await t.api('GET', '/api/v1/nowhere?token=abc');
    expect([res.status, res.body]).toEqual([404, { error: { code: 'HF0605', name: 'InvalidRequest', message: 'No route GET /api/v1/nowhere (HF0605)' } }]);
  });

  it('refuses a JSON body over 1 MiB with 413, and one that is not JSON with 400', async () => {
    const big = await t.api('POST', '/api/v1/devices/import', { token: t.tokens.operator, body: ['x'.repeat(1024 * 1024)] });
    expect([big.status, big.body.error.code, big.body.error.name]).toEqual([413, 'HF0615', 'PayloadTooLarge']);
    const broken = await t.api('POST', '/api/v1/devices/import', { token: t.tokens.operator, body: '[{', headers: { 'content-type': 'application/json' } });
    expect([broken.status, broken.body.error.code]).toEqual([400, 'HF0605']);
    const object = await t.api('POST', '/api/v1/devices/import', { token: t.tokens.operator, body: { chfId: 'x' } });
    expect([object.status, object.body.error.message]).toEqual([400, expect.stringContaining('Send the snapshot as text/csv')]);
  });

  it('takes an image of exactly http.maxImageBytes, refuses one byte more, and lets an admin approve at upload', async () => {
    const atMost = makeImage(t.manufacturer.privateKeyPem, 0x02010000, MAX_IMAGE - imageOverhead);
    const over = makeImage(t.manufacturer.privateKeyPem, 0x02020000, MAX_IMAGE - imageOverhead + 1);
    expect([atMost.bytes.length, over.bytes.length]).toEqual([MAX_IMAGE, MAX_IMAGE + 1]);
    const tooBig = await t.api('POST', '/api/v1/firmware', { token: t.tokens.operator, body: over.bytes, headers: octets });
    expect([tooBig.status, tooBig.body.error]).toEqual([413, { code: 'HF0615', name: 'PayloadTooLarge', message: `Images may be at most ${MAX_IMAGE} bytes (HF0615)`, context: { max: MAX_IMAGE } }]);
    const added = await t.api('POST', '/api/v1/firmware?approve=true', { token: t.tokens.admin, body: atMost.bytes, headers: octets });
    expect([added.status, added.body.approved, added.body.approvedBy]).toEqual([201, true, expect.stringContaining(':ada')]);
  });

  it('lets a viewer download an image that is not approved (rigs may not)', async () => {
    const image = makeImage(t.manufacturer.privateKeyPem, 0x02030000, 2000);
    expect((await t.api('POST', '/api/v1/firmware', { token: t.tokens.operator, body: image.bytes, headers: octets })).body.approved).toBe(false);
    const res = await t.api('GET', `/api/v1/firmware/${image.sha256}/image`, { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body).equals(Buffer.from(image.bytes))).toBe(true);
  });
});
