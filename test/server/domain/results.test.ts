import { describe, expect, it } from 'vitest';
import { decodeResult, encodeResult, type ResultMessage, type ResultMessageInput } from '../../../protocol/mqtt/index.ts';
import type { FirmwareEntry } from '../../../server/domain/catalogue/Catalogue.ts';
import type { HubRecord } from '../../../server/domain/inventory/hub.ts';
import { decideResult } from '../../../server/domain/results/applyResult.ts';
import { sampleResult } from '../../protocol/mqtt/fixtures.ts';

const image = (version: string, hash: string): FirmwareEntry =>
  ({ sha256: hash, fileVersion: version, size: 1, manufacturerCode: 0x121d, imageType: 0, headerString: '', signerKeyId: 'k', approved: true, addedBy: 't', addedAt: '' }) as FirmwareEntry;
const older = image('02000000', 'b'.repeat(64));
const newer = image('02010000', 'c'.repeat(64));
const result = (target: FirmwareEntry, finishedAt: string, overrides: Partial<ResultMessageInput> = {}): ResultMessage =>
  decodeResult(encodeResult(sampleResult({ to: { version: target.fileVersion, hash: target.sha256 }, imageHash: target.sha256, startedAt: '2025-01-01T09:00:00Z', finishedAt, ...overrides })));
const hub: HubRecord = { chfId: '00-DB-12-34-56-78-90-A0', smiStatus: 'Whitelisted', firmwareVersion: '01260300', firmwareSource: 'smi', custody: 'at-csp', updatedAt: '2025-01-01T00:00:00Z' };

describe('what a result does to its hub', () => {
  it('sets the firmware a verified result reports, with when the rig finished', () => {
    const { change, refused } = decideResult(hub, result(newer, '2025-01-01T10:00:00Z'), newer, 'now');
    expect(refused).toBeUndefined();
    expect(change.after).toMatchObject({ firmwareVersion: '02010000', firmwareHash: newer.sha256, firmwareSource: 'rig', firmwareReportedAt: '2025-01-01T10:00:00Z' });
  });

  it('does not roll the firmware back for a result that finished before the one that set it', () => {
    const afterNewer = decideResult(hub, result(newer, '2025-01-01T11:00:00+01:00'), newer, 't1').change.after;
    // Finished at 10:30 UTC, after the first (10:00 UTC, written with an offset): it applies, older version or not.
    const later = decideResult(afterNewer, result(older, '2025-01-01T10:30:00Z'), older, 't2');
    expect(later.change.after.firmwareVersion).toBe('02000000');
    const stale = decideResult(later.change.after, result(newer, '2025-01-01T10:15:00Z'), newer, 't3');
    expect(stale.refused).toBeUndefined();
    expect(stale.change.after).toMatchObject({ firmwareVersion: '02000000', firmwareHash: older.sha256, firmwareReportedAt: '2025-01-01T10:30:00Z', updatedAt: 't3' });
    expect(stale.change.events).toEqual([expect.objectContaining({ type: 'result', details: expect.objectContaining({ outcome: 'verified', superseded: true }) })]);
  });

  it('lets a rig result override firmware the SMI reported, whatever the times', () => {
    const smi: HubRecord = { ...hub, firmwareReportedAt: '2030-01-01T00:00:00Z' };
    expect(decideResult(smi, result(newer, '2025-01-01T10:00:00Z'), newer, 'now').change.after.firmwareVersion).toBe('02010000');
  });
});
