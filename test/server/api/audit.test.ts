import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('GET /api/v1/audit/verify', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rigs: ['RIG-01', 'RIG-02'] });
  });
  afterAll(() => t.stop());

  it('checks the chain, its head, and an entry the caller noted', async () => {
    const { status, body } = await t.api('GET', '/api/v1/audit/verify', { token: t.tokens.viewer });
    expect([status, body.ok, body.entries > 0]).toEqual([200, true, true]);
    const noted = `${body.entries}:${body.lastHash}`;
    expect((await t.api('GET', `/api/v1/audit/verify?expect=${noted}`, { token: t.tokens.viewer })).body.ok).toBe(true);
    const other = await t.api('GET', `/api/v1/audit/verify?expect=${body.entries}:${'0'.repeat(64)}`, { token: t.tokens.viewer });
    expect([other.body.ok, other.body.firstBad.reason]).toEqual([false, expect.stringContaining(`entry ${body.entries} is not the one written`)]);
    const beyond = await t.api('GET', `/api/v1/audit/verify?expect=${body.entries + 10}:${body.lastHash}`, { token: t.tokens.viewer });
    expect(beyond.body.firstBad.reason).toContain('entries were removed from the end');
  });

  it('refuses an anchor that is not SEQ:HASH with a stable code', async () => {
    const { status, body } = await t.api('GET', '/api/v1/audit/verify?expect=last', { token: t.tokens.viewer });
    expect([status, body.error.code, body.error.message]).toEqual([400, 'HF0605', expect.stringContaining('SEQ:HASH')]);
  });
});
