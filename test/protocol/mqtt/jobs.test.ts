import { describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import {
  decodeJob,
  decodeJobRequest,
  encodeJob,
  encodeJobRequest,
  parseRigTopic,
  rigTopic,
  type JobRequestMessageInput,
} from '../../../protocol/mqtt/index.ts';

const request: JobRequestMessageInput = {
  v: 1,
  requestId: '4b0c6f5e-2a4e-4b8e-9f0e-1d2c3b4a5f60',
  rigId: 'RIG-01',
  hub: {
    chfId: '00db1234567890a0',
    gpfId: '00:DB:12:34:56:78:90:A1',
    manufacturerCode: 0x121d,
    model: 'CH-A',
    hardwareVersion: 0x1111,
    hanVariant: 'DualBand',
    imageType: 0,
    firmware: { version: '01260300' },
  },
  at: '2026-11-28T10:00:00.000Z',
};

describe('job request and answer messages', () => {
  it('round-trips a request, normalising IDs', () => {
    const decoded = decodeJobRequest(encodeJobRequest(request));
    expect(decoded.hub.chfId).toBe('00-DB-12-34-56-78-90-A0');
    expect(decoded.hub.gpfId).toBe('00-DB-12-34-56-78-90-A1');
  });

  it('round-trips a job and a refusal', () => {
    const base = { v: 1 as const, requestId: request.requestId, rigId: 'RIG-01', chfId: '00-DB-12-34-56-78-90-A0', at: request.at };
    const job = decodeJob(
      encodeJob({ ...base, outcome: 'job', job: { jobId: 'ORD-000001:00-DB-12-34-56-78-90-A0', orderId: 'ORD-000001', target: { version: '02000100', hash: 'AB'.repeat(32), size: 361, url: '/api/v1/firmware/x/image' }, alreadyCurrent: false } }),
    );
    expect(job.outcome === 'job' && job.job.target.hash).toBe('ab'.repeat(32));
    const refused = decodeJob(encodeJob({ ...base, outcome: 'refused', error: { code: 'HF0717', name: 'NoJobForHub', message: 'no live order' } }));
    expect(refused.outcome).toBe('refused');
  });

  it('refuses a request missing what the rig read, or with an unknown field', () => {
    const { imageType: _gone, ...hub } = request.hub;
    for (const bad of [{ ...request, hub }, { ...request, extra: 1 }, { ...request, requestId: 'nope' }]) {
      let caught: unknown;
      try {
        decodeJobRequest(JSON.stringify(bad));
      } catch (err) {
        caught = err;
      }
      expect(isHubflashError(caught, ErrorCode.InvalidMessage)).toBe(true);
    }
  });

  it('has a rig topic that parses back', () => {
    expect(parseRigTopic(rigTopic('RIG-01', 'job-request'))).toEqual({ direction: 'rig', rigId: 'RIG-01', kind: 'job-request' });
  });
});
