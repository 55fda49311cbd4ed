import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAck, encodeResult, rigCommandFilter, rigTopic, type AckMessage, type ResultMessageInput } from '../../../protocol/mqtt/index.ts';
import type { ServerPlugin } from '../../../server/index.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';
import { addApprovedImage, type TestImage } from '../helpers/images.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.ts';
import { CSV_HEADER, csvLine, hubId, sampleHub } from '../helpers/snapshot.ts';

/** A plugin that records every hook call and writes a key in the same batch as the result. */
const hookCalls: string[] = [];
/** When set, the hook waits for it: the test looks at the server while a result is mid-way. */
let gate: { reached: () => void; release: Promise<void> } | undefined;
const recorder: ServerPlugin = {
  name: 'recorder',
  setup(ctx) {
    ctx.hooks.onResultApplied(async (event, tx) => {
      hookCalls.push(event.result.resultId);
      if (gate) {
        gate.reached();
        await gate.release;
      }
      tx.ops.push({ type: 'put', key: `test\x00${event.result.resultId}`, value: event.refused?.code ?? 'applied' });
    });
  },
};

describe('durable results', () => {
  let t: TestServer;
  let rig: MqttClient;
  let image: TestImage;
  const acks: AckMessage[] = [];

  const verified = (i: number, overrides: Partial<ResultMessageInput> = {}): ResultMessageInput =>
    sampleResult({
      hub: { ...sampleResult().hub, chfId: hubId(i), gpfId: hubId(i, true), hardwareVersion: 0x1111 },
      to: { version: image.version, hash: image.sha256 },
      imageHash: image.sha256,
      ...overrides,
    });
  const ackedIds = (): string[] => acks.flatMap((a) => a.resultIds);
  const send = (r: ResultMessageInput): void => {
    rig.publish(rigTopic('RIG-01', 'results'), encodeResult(r), { qos: 1 });
  };

  beforeAll(async () => {
    t = await startTestServer({ serverOptions: { plugins: [recorder] } });
    image = await addApprovedImage(t);
    const rows = [0, 1, 2, 3, 4, 5, 6].map((i) => csvLine(sampleHub(i)));
    const imported = await t.api('POST', '/api/v1/devices/import', { body: `${CSV_HEADER}\n${rows.join('\n')}\n`, headers: { 'content-type': 'text/csv' } });
    expect(imported.body.created).toBe(7);
    rig = await t.connectRig('RIG-01');
    await rig.subscribeAsync(rigCommandFilter('RIG-01'), { qos: 1 });
    rig.on('message', (_topic, payload) => acks.push(decodeAck(payload)));
  });
  afterAll(() => t.stop());

  it('stores and applies a result in one batch, and only then acknowledges it', async () => {
    const r = verified(0);
    let reached!: () => void;
    let release!: () => void;
    const atHook = new Promise<void>((resolve) => (reached = resolve));
    gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    send(r);
    await atHook;
    // Mid-way through applying: nothing is written yet (the result is stored in the batch that
    // applies it), the hub is unchanged, no ack is sent.
    expect((await t.api('GET', `/api/v1/results/${r.resultId}`)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/devices/${hubId(0)}`)).body.firmwareSource).toBe('smi');
    expect((await t.api('GET', '/api/v1/ingest')).body.results.acknowledged).toBe(0);
    gate = undefined;
    release();
    await waitFor(() => ackedIds().includes(r.resultId), 'the ack');
    expect((await t.api('GET', `/api/v1/results/${r.resultId}`)).body).toMatchObject({ applied: true });
    expect((await t.api('GET', `/api/v1/devices/${hubId(0)}`)).body).toMatchObject({ firmwareVersion: image.version, firmwareHash: image.sha256, firmwareSource: 'rig' });
    expect(await t.server.context.store.get(`test\x00${r.resultId}`)).toBe('applied');
    const history = await t.api('GET', `/api/v1/devices/${hubId(0)}/history`);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual(['import', 'result']);
    expect(hookCalls).toEqual([r.resultId]);
    // Stored results are audited, one entry per rig and group, naming them.
    const audit = (await t.api('GET', '/api/v1/audit?limit=1000')).body.items as Array<{ actor: string; action: string; details?: { resultIds?: string[] } }>;
    expect(audit.filter((e) => e.action === 'results.recorded')).toEqual([expect.objectContaining({ actor: 'rig:RIG-01', details: { resultIds: [r.resultId] } })]);
  });

  it('acknowledges the same result again, any number of times, and changes nothing', async () => {
    const r = verified(1);
    send(r);
    await waitFor(() => ackedIds().filter((id) => id === r.resultId).length === 1, 'the first ack');
    const hubAfterFirst = (await t.api('GET', `/api/v1/devices/${hubId(1)}`)).body;
    const stats = (await t.api('GET', '/api/v1/devices/stats')).body;
    for (let copy = 2; copy <= 4; copy++) {
      send(r);
      await waitFor(() => ackedIds().filter((id) => id === r.resultId).length === copy, `ack ${copy}`);
    }
    expect((await t.api('GET', `/api/v1/devices/${hubId(1)}`)).body).toEqual(hubAfterFirst);
    expect((await t.api('GET', '/api/v1/devices/stats')).body).toEqual(stats);
    const events = (await t.api('GET', `/api/v1/devices/${hubId(1)}/history`)).body.items as Array<{ type: string }>;
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(hookCalls.filter((id) => id === r.resultId)).toHaveLength(1);
    expect((await t.api('GET', '/api/v1/ingest')).body.results.duplicates).toBe(3);
  });

  it('acknowledges many results in few acks (group commit)', async () => {
    const before = acks.length;
    const results = Array.from({ length: 300 }, (_, i) => sampleResult({ outcome: 'failed', error: { code: 'HF0304', name: 'DeviceFlashFailure', message: 'flash failed' }, hub: { ...sampleResult().hub, chfId: hubId(1000 + i) } }));
    for (const r of results) send(r);
    await waitFor(() => results.every((r) => ackedIds().includes(r.resultId)), 'acks for all 300');
    expect(acks.length - before).toBeLessThan(300);
    const stored = await t.api('GET', `/api/v1/results/${results[299]!.resultId}`);
    expect(stored.body).toMatchObject({ rigId: 'RIG-01', applied: true, result: { outcome: 'failed' } });
  });

  it('stores, refuses and acknowledges a result for an image the catalogue does not hold', async () => {
    const unknown = 'b'.repeat(64);
    const r = verified(2, { to: { version: '02020000', hash: unknown }, imageHash: unknown });
    const hubBefore = (await t.api('GET', `/api/v1/devices/${hubId(2)}`)).body;
    send(r);
    const ack = await waitFor(() => acks.find((a) => a.resultIds.includes(r.resultId)), 'the ack');
    expect(ack.refused).toEqual([{ resultId: r.resultId, error: expect.objectContaining({ code: 'HF0623', name: 'ResultUnknownImage' }) }]);
    const hubAfter = (await t.api('GET', `/api/v1/devices/${hubId(2)}`)).body;
    expect(hubAfter.firmwareVersion).toBe(hubBefore.firmwareVersion);
    expect((await t.api('GET', `/api/v1/results/${r.resultId}`)).body).toMatchObject({ applied: false, refused: { code: 'HF0623' } });
    // Sent again: refused again, with the same reason.
    send(r);
    await waitFor(() => acks.filter((a) => a.refused?.some((x) => x.resultId === r.resultId)).length === 2, 'the second refusal');
  });

  it('refuses to apply a result for a hub the inventory shows installed', async () => {
    const installed = [0, 1, 2, 3, 4, 5, 6].find((i) => sampleHub(i).smiStatus === 'Commissioned')!;
    const r = verified(installed);
    send(r);
    const ack = await waitFor(() => acks.find((a) => a.resultIds.includes(r.resultId)), 'the ack');
    expect(ack.refused?.[0]?.error.code).toBe('HF0624');
    expect((await t.api('GET', `/api/v1/devices/${hubId(installed)}`)).body.firmwareSource).toBe('smi');
  });

  it("keeps a hub's firmware when a result that finished earlier arrives after a later one", async () => {
    const later = verified(4, { startedAt: '2025-03-01T09:00:00Z', finishedAt: '2025-03-01T10:00:00Z' });
    const earlier = verified(4, { outcome: 'already-current', to: { version: '01000000', hash: 'd'.repeat(64) }, startedAt: '2025-03-01T08:00:00Z', finishedAt: '2025-03-01T09:00:00Z' });
    send(later);
    await waitFor(() => ackedIds().includes(later.resultId), 'the ack of the later result');
    send(earlier);
    await waitFor(() => ackedIds().includes(earlier.resultId), 'the ack of the earlier result');
    expect((await t.api('GET', `/api/v1/devices/${hubId(4)}`)).body).toMatchObject({ firmwareVersion: image.version, firmwareSource: 'rig', firmwareReportedAt: '2025-03-01T10:00:00Z' });
    const events = (await t.api('GET', `/api/v1/devices/${hubId(4)}/history`)).body.items as Array<{ type: string; details?: Record<string, unknown> }>;
    expect(events.filter((e) => e.type === 'result').map((e) => [e.details?.resultId, e.details?.superseded])).toEqual([
      [later.resultId, undefined],
      [earlier.resultId, true],
    ]);
  });

  it('never acknowledges to a rig a result ID another rig sent first', async () => {
    const r = verified(3);
    send(r);
    await waitFor(() => ackedIds().includes(r.resultId), 'the ack to RIG-01');
    const other = await t.connectRig('RIG-02');
    await other.subscribeAsync(rigCommandFilter('RIG-02'), { qos: 1 });
    const otherAcks: string[] = [];
    other.on('message', (_topic, payload) => otherAcks.push(...decodeAck(payload).resultIds));
    const copy = { ...r, rigId: 'RIG-02' };
    const marker = sampleResult({ rigId: 'RIG-02', outcome: 'ineligible' });
    other.publish(rigTopic('RIG-02', 'results'), encodeResult(copy), { qos: 1 });
    other.publish(rigTopic('RIG-02', 'results'), encodeResult(marker), { qos: 1 });
    await waitFor(() => otherAcks.includes(marker.resultId), "the ack of RIG-02's own result");
    expect(otherAcks).not.toContain(r.resultId);
    expect(t.logs.some((l) => l.msg === 'result ID already used by another rig; not acknowledged' && l.rigId === 'RIG-02')).toBe(true);
    expect((await t.api('GET', `/api/v1/results/${r.resultId}`)).body.rigId).toBe('RIG-01');
  });
});
