import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, formatErrorCode } from '../../../protocol/errors/index.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import { readingKey } from '../../../server/domain/orders/keys.ts';
import type { Reading } from '../../../server/domain/reconciliation/readings.ts';
import { chf, hubRecord, jobRequestFor, OPERATOR, openHarness, orderInput, resultFor, type Harness } from './harness.ts';

const code = (c: ErrorCode): string => formatErrorCode(c);

describe('jobs and results move an order on', () => {
  let h: Harness;
  let image: FirmwareEntry;
  beforeEach(async () => {
    h = await openHarness();
    image = await h.addImage();
    await h.addHubs([0, 1, 2, 3].map((i) => hubRecord(i)));
    await h.desk.take(orderInput({ hubs: [chf(0), chf(1), chf(2)] }), OPERATOR);
  });
  afterEach(() => h.close());

  it('hands out a job with the target image, then a verified result makes the hub verified and back at the CSP', async () => {
    await h.desk.receive('ORD-000001', {}, OPERATOR);
    const answer = await h.desk.answerJob(jobRequestFor(0));
    expect(answer).toEqual({
      outcome: 'job',
      job: { jobId: `ORD-000001:${chf(0)}`, orderId: 'ORD-000001', target: { version: '02000100', hash: image.sha256, size: image.size, url: `/api/v1/firmware/${image.sha256}/image` }, alreadyCurrent: false },
    });
    expect((await h.desk.lines('ORD-000001', { state: 'on-rig' })).map((l) => [l.chfId, l.rigId])).toEqual([[chf(0), 'RIG-01']]);
    expect((await h.inventory.get(chf(0)))!.custody).toBe('on-rig');

    h.clock.advance(60_000);
    await h.report(resultFor(0, image));
    const hub = (await h.inventory.get(chf(0)))!;
    expect([hub.firmwareVersion, hub.firmwareHash, hub.custody]).toEqual(['02000100', image.sha256, 'at-csp']);
    expect((await h.desk.order('ORD-000001')).progress).toMatchObject({ verified: 1, received: 2 });
    const ledger = await h.desk.custody(chf(0));
    expect(ledger.lines.map((l) => [l.from, l.to, l.by])).toEqual([
      ['with-user', 'in-transit-to-csp', OPERATOR],
      ['in-transit-to-csp', 'at-csp', OPERATOR],
      ['at-csp', 'on-rig', 'rig:RIG-01'],
      ['on-rig', 'at-csp', 'rig:RIG-01'],
    ]);
    expect(ledger.lines[2]!.place).toContain('rig RIG-01');
    const changes = await h.desk.smiChanges('2026-11-01');
    expect(changes).toEqual([expect.objectContaining({ chfId: chf(0), before: { version: '01260300' }, after: { version: '02000100', hash: image.sha256 }, rigId: 'RIG-01', at: '2026-11-28T10:00:30.000Z' })]);
  });

  it('applies a result once: the same result again changes nothing', async () => {
    const result = resultFor(0, image);
    await h.report(result);
    const history = (await h.inventory.history(chf(0), 1000)).items.length;
    const lines = await h.desk.lines('ORD-000001');
    await h.report(result);
    expect((await h.inventory.history(chf(0), 1000)).items.length).toBe(history);
    expect(await h.desk.lines('ORD-000001')).toEqual(lines);
    expect(await h.desk.smiChanges('2026-01-01')).toHaveLength(1);
  });

  it('gives no new job for a hub already verified on its order (a restarted rig asking again), and leaves its line verified', async () => {
    await h.desk.receive('ORD-000001', {}, OPERATOR);
    await h.desk.answerJob(jobRequestFor(0));
    await h.report(resultFor(0, image));
    const again = await h.desk.answerJob(jobRequestFor(0, { firmware: { version: '02000100', hash: image.sha256 } }));
    expect(again).toMatchObject({ outcome: 'refused', error: { code: code(ErrorCode.NoJobForHub), message: expect.stringContaining('already verified') } });
    expect((await h.desk.lines('ORD-000001', { state: 'verified' })).map((l) => l.chfId)).toEqual([chf(0)]);
  });

  it('a hub taken by a rig while still in transit is received on the way', async () => {
    await h.desk.answerJob(jobRequestFor(1));
    expect((await h.desk.custody(chf(1))).lines.map((l) => l.to)).toEqual(['in-transit-to-csp', 'at-csp', 'on-rig']);
  });

  it('checks eligibility again before flashing, with what the rig read', async () => {
    const mismatch = await h.desk.answerJob(jobRequestFor(0, { model: 'TOSH-CH1' }));
    expect(mismatch.outcome === 'refused' && mismatch.error.code).toBe(code(ErrorCode.HubReadingMismatch));
    expect((await h.desk.lines('ORD-000001', { state: 'ineligible' })).map((l) => l.chfId)).toEqual([chf(0)]);
    expect((await h.inventory.get(chf(0)))!.custody).toBe('in-transit-to-csp');

    await h.addHubs([hubRecord(1, { smiStatus: 'InstalledNotCommissioned', custody: 'in-transit-to-csp' })]);
    const installed = await h.desk.answerJob(jobRequestFor(1));
    expect(installed.outcome === 'refused' && installed.error.code).toBe(code(ErrorCode.IneligibleInstalled));

    const downgrade = await h.desk.answerJob(jobRequestFor(2, { firmware: { version: '03000000' } }));
    expect(downgrade.outcome === 'refused' && downgrade.error.code).toBe(code(ErrorCode.IneligibleUpgradePath));

    const stranger = await h.desk.answerJob(jobRequestFor(3));
    expect(stranger.outcome === 'refused' && stranger.error.code).toBe(code(ErrorCode.NoJobForHub));

    // Put right, the hub gets its job after all.
    const retry = await h.desk.answerJob(jobRequestFor(0));
    expect(retry.outcome).toBe('job');
  });

  it('records a failure with its error, and a retry gets the job again', async () => {
    await h.desk.answerJob(jobRequestFor(0));
    const error = { code: 'HF0304', name: 'DeviceFlashFailure', message: 'flash write failed' };
    await h.report(resultFor(0, image, { outcome: 'failed', error, imageHash: undefined }));
    expect(await h.desk.lines('ORD-000001', { state: 'failed' })).toEqual([expect.objectContaining({ chfId: chf(0), reason: error })]);
    expect((await h.inventory.get(chf(0)))!.firmwareVersion).toBe('01260300');
    expect(await h.desk.smiChanges('2026-01-01')).toEqual([]);
    expect((await h.desk.answerJob(jobRequestFor(0))).outcome).toBe('job');
  });

  it('marks a hub flashed with another image than its target as flashed, not verified', async () => {
    const other = await h.addImage({ fileVersion: 0x02000200 });
    await h.report(resultFor(0, other));
    const [line] = await h.desk.lines('ORD-000001', { state: 'flashed' });
    expect(line?.reason?.code).toBe(code(ErrorCode.ResultNotAtTarget));
  });

  it('applies a late result to the order the hub is on now, not to an order it has left', async () => {
    await h.desk.cancelOrder('ORD-000001', 'party withdrew it', OPERATOR);
    await h.desk.take(orderInput({ reference: 'PO-2', hubs: [chf(0)] }), OPERATOR);
    await h.report(resultFor(0, image)); // still names ORD-000001 in its job ID
    expect((await h.desk.lines('ORD-000002')).map((l) => l.state)).toEqual(['verified']);
    expect((await h.desk.lines('ORD-000001', { state: 'verified' })).length).toBe(0);
  });

  it('a late older result (its rig was offline) is kept but undoes neither the line, the custody nor the reading', async () => {
    const error = { code: 'HF0304', name: 'DeviceFlashFailure', message: 'flash write failed' };
    const failedEarlier = resultFor(0, image, { rigId: 'RIG-02', outcome: 'failed', error, imageHash: undefined, hub: { ...resultFor(0, image).hub, gpfId: chf(9, true) }, startedAt: '2026-11-28T08:59:00.000Z', finishedAt: '2026-11-28T09:00:00.000Z' });
    await h.desk.answerJob(jobRequestFor(0));
    await h.report(resultFor(0, image)); // verified at 10:00:30
    const verified = await h.desk.lines('ORD-000001', { state: 'verified' });
    expect(verified.map((l) => [l.chfId, l.resultFinishedAt])).toEqual([[chf(0), '2026-11-28T10:00:30.000Z']]);
    await h.report(failedEarlier);
    expect(await h.desk.lines('ORD-000001', { state: 'verified' })).toEqual(verified);
    const hub = (await h.inventory.get(chf(0)))!;
    expect([hub.firmwareVersion, hub.custody]).toEqual(['02000100', 'at-csp']);
    expect((await h.desk.custody(chf(0))).lines.map((l) => l.to)).toEqual(['in-transit-to-csp', 'at-csp', 'on-rig', 'at-csp']);
    const reading = JSON.parse((await h.store.get(readingKey(chf(0))))!) as Reading;
    expect([reading.firmwareVersion, reading.resultId, reading.otherGpfIds]).toEqual(['02000100', verified[0]!.resultId, [chf(9, true)]]);
    // Kept all the same: in the hub's history, with its outcome.
    const history = (await h.inventory.history(chf(0), 100)).items.filter((e) => e.type === 'result');
    expect(history.map((e) => e.details?.outcome)).toEqual(['verified', 'failed']);
  });

  it('a newer result still moves the line on after a failure', async () => {
    const error = { code: 'HF0304', name: 'DeviceFlashFailure', message: 'flash write failed' };
    await h.report(resultFor(0, image, { outcome: 'failed', error, imageHash: undefined, finishedAt: '2026-11-28T10:00:00.000Z' }));
    await h.report(resultFor(0, image, { finishedAt: '2026-11-28T10:05:00.000Z' }));
    expect((await h.desk.lines('ORD-000001', { state: 'verified' })).map((l) => l.resultFinishedAt)).toEqual(['2026-11-28T10:05:00.000Z']);
  });

  it('answers a hub already at the target with alreadyCurrent', async () => {
    await h.addHubs([hubRecord(0, { firmwareVersion: '02000100', firmwareHash: image.sha256, custody: 'at-csp' })]);
    const answer = await h.desk.answerJob(jobRequestFor(0, { firmware: { version: '02000100', hash: image.sha256 } }));
    expect(answer.outcome === 'job' && answer.job.alreadyCurrent).toBe(true);
  });
});
