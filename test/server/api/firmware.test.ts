import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateManufacturerKeyPair } from '../../../protocol/image/index.ts';
import { firmwareEntry } from '../../../server/api/schemas.ts';
import { makeImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const octets = { 'content-type': 'application/octet-stream' };

describe('firmware catalogue', () => {
  let t: TestServer;
  let image: TestImage;
  let rigAuth: string;
  beforeAll(async () => {
    t = await startTestServer();
    image = makeImage(t.manufacturer.privateKeyPem, 0x02010000, 50_000);
    rigAuth = `Basic ${Buffer.from(`RIG-01:${t.secrets['RIG-01']}`).toString('base64')}`;
  });
  afterAll(() => t.stop());

  it('verifies, stores and describes an uploaded image; uploading it again returns the same entry', async () => {
    const res = await t.api('POST', '/api/v1/firmware?installationEndDate=2029-03-31', { token: t.tokens.operator, body: image.bytes, headers: octets });
    expect(res.status).toBe(201);
    const entry = firmwareEntry.parse(res.body);
    expect(entry).toMatchObject({
      sha256: image.sha256,
      size: image.bytes.length,
      manufacturerCode: 0x121d,
      fileVersion: '02010000',
      minHardwareVersion: 0x1100,
      maxHardwareVersion: 0x1200,
      upgradeableFrom: ['01260300', '01250700'],
      installationEndDate: '2029-03-31',
      approved: false,
      addedBy: expect.stringContaining(':olga'),
    });
    const again = await t.api('POST', '/api/v1/firmware', { token: t.tokens.operator, body: image.bytes, headers: octets });
    expect([again.status, again.body.sha256, again.body.installationEndDate]).toEqual([200, image.sha256, '2029-03-31']);
    expect((await t.api('GET', '/api/v1/firmware', { token: t.tokens.viewer })).body.items).toHaveLength(1);
  });

  it('refuses an image signed by a key it does not trust, and a corrupted one', async () => {
    const stranger = makeImage(generateManufacturerKeyPair().privateKeyPem);
    const res = await t.api('POST', '/api/v1/firmware', { token: t.tokens.operator, body: stranger.bytes, headers: octets });
    expect([res.status, res.body.error.name]).toEqual([422, 'ImageWrongKey']);
    const corrupted = Uint8Array.from(image.bytes);
    corrupted[200]! ^= 0xff;
    const bad = await t.api('POST', '/api/v1/firmware', { token: t.tokens.operator, body: corrupted, headers: octets });
    expect([bad.status, bad.body.error.name]).toEqual([422, 'ImageBadSignature']);
    expect((await t.api('GET', `/api/v1/firmware/${stranger.sha256}`)).status).toBe(404);
  });

  it('lets only an admin approve, and rigs download only approved images', async () => {
    const url = `/api/v1/firmware/${image.sha256}/image`;
    const early = await t.api('GET', url, { token: null, headers: { authorization: rigAuth } });
    expect([early.status, early.body.error?.code]).toEqual([403, 'HF0612']);
    expect((await t.api('POST', `/api/v1/firmware/${image.sha256}/approve`, { token: t.tokens.operator })).status).toBe(403);
    const approved = await t.api('POST', `/api/v1/firmware/${image.sha256}/approve`, { token: t.tokens.admin });
    expect(approved.body).toMatchObject({ approved: true, approvedBy: expect.stringContaining(':ada') });
    const full = await t.api('GET', url, { token: null, headers: { authorization: rigAuth } });
    expect(full.status).toBe(200);
    expect(Buffer.from(full.body).equals(Buffer.from(image.bytes))).toBe(true);
    const wrongSecret = `Basic ${Buffer.from('RIG-01:nope').toString('base64')}`;
    expect((await t.api('GET', url, { token: null, headers: { authorization: wrongSecret } })).status).toBe(401);
  });

  it('resumes a broken download with range requests', async () => {
    const url = `/api/v1/firmware/${image.sha256}/image`;
    const auth = { authorization: rigAuth };
    const size = image.bytes.length;
    // The first attempt "breaks" after 20 000 bytes; the rig asks for the rest.
    const first = await t.api('GET', url, { token: null, headers: { ...auth, range: 'bytes=0-19999' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-19999/${size}`);
    const etag = first.headers.get('etag')!;
    const rest = await t.api('GET', url, { token: null, headers: { ...auth, range: 'bytes=20000-', 'if-range': etag } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 20000-${size - 1}/${size}`);
    const whole = Buffer.concat([Buffer.from(first.body), Buffer.from(rest.body)]);
    expect(createHash('sha256').update(whole).digest('hex')).toBe(image.sha256);
    const tail = await t.api('GET', url, { token: null, headers: { ...auth, range: 'bytes=-100' } });
    expect(Buffer.from(tail.body).equals(Buffer.from(image.bytes.subarray(size - 100)))).toBe(true);
    const beyond = await t.api('GET', url, { token: null, headers: { ...auth, range: `bytes=${size}-` } });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, `bytes */${size}`]);
  });

  it('clamps a range that runs past the end, and sends the whole image when If-Range names another version', async () => {
    const url = `/api/v1/firmware/${image.sha256}/image`;
    const auth = { authorization: rigAuth };
    const size = image.bytes.length;
    const long = await t.api('GET', url, { token: null, headers: { ...auth, range: 'bytes=49000-99999999' } });
    expect([long.status, long.headers.get('content-range'), long.headers.get('content-length')]).toEqual([206, `bytes 49000-${size - 1}/${size}`, String(size - 49000)]);
    expect(Buffer.from(long.body).equals(Buffer.from(image.bytes.subarray(49000)))).toBe(true);
    // A rig resuming a download of some other image must not splice this one's bytes onto it.
    const stale = await t.api('GET', url, { token: null, headers: { ...auth, range: 'bytes=20000-', 'if-range': '"an-older-image"' } });
    expect([stale.status, stale.headers.get('content-range')]).toEqual([200, null]);
    expect(Buffer.from(stale.body).equals(Buffer.from(image.bytes))).toBe(true);
  });

  it("a rig's own ID and secret open image downloads only, not the operators' routes", async () => {
    const list = await t.api('GET', '/api/v1/firmware', { token: null, headers: { authorization: rigAuth } });
    expect([list.status, list.body.error?.name]).toEqual([401, 'Unauthenticated']);
    const approve = await t.api('POST', `/api/v1/firmware/${image.sha256}/withdraw`, { token: null, headers: { authorization: rigAuth } });
    expect([approve.status, approve.body.error?.name]).toEqual([401, 'Unauthenticated']);
    expect((await t.api('GET', `/api/v1/firmware/${image.sha256}`, { token: t.tokens.viewer })).body.approved).toBe(true);
  });

  it('lets only an admin approve at upload too: an operator asking for it is refused and nothing is stored', async () => {
    const other = makeImage(t.manufacturer.privateKeyPem, 0x02020000, 20_000);
    const res = await t.api('POST', '/api/v1/firmware?approve=true', { token: t.tokens.operator, body: other.bytes, headers: octets });
    expect([res.status, res.body.error?.name]).toEqual([403, 'Forbidden']);
    expect((await t.api('GET', `/api/v1/firmware/${other.sha256}`, { token: t.tokens.viewer })).status).toBe(404);
  });

  it('withdrawing approval stops rigs downloading the image', async () => {
    const url = `/api/v1/firmware/${image.sha256}/image`;
    expect((await t.api('POST', `/api/v1/firmware/${image.sha256}/withdraw`, { token: t.tokens.operator })).status).toBe(403);
    const withdrawn = await t.api('POST', `/api/v1/firmware/${image.sha256}/withdraw`, { token: t.tokens.admin });
    expect([withdrawn.status, withdrawn.body.approved]).toEqual([200, false]);
    const denied = await t.api('GET', url, { token: null, headers: { authorization: rigAuth } });
    expect([denied.status, denied.body.error?.code]).toEqual([403, 'HF0612']);
  });

  it('records every catalogue change in the audit log', async () => {
    const { body } = await t.api('GET', '/api/v1/audit?limit=1000');
    const actions = body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['firmware.add', 'firmware.approve', 'firmware.withdraw']));
  });
});
