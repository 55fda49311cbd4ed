import { describe, expect, it } from 'vitest';
import { jobRequestHub, resultMessage } from '../../../agent/daemon/reports.ts';
import type { FlashResult } from '../../../agent/index.ts';
import { encodeJobRequest, encodeResult } from '../../../protocol/mqtt/index.ts';
import { HanVariant, InstallState, SlotState, type IdentifyReply } from '../../../protocol/messages/index.ts';

const read: IdentifyReply = {
  kind: 'identify-reply',
  protocolVersion: 1,
  chfId: '00-DB-12-34-56-78-90-A0',
  gpfId: '00-DB-12-34-56-78-90-A1',
  manufacturerCode: 0x121d,
  manufacturer: 'Demo Hubs Ltd',
  model: 'DH-CH-DB',
  hardwareVersion: 0x0210,
  imageType: 2,
  hanVariant: HanVariant.DualBand,
  runningVersion: 0x01260300,
  runningHash: 'ab'.repeat(32),
  slotState: SlotState.Empty,
  installState: InstallState.Commissioned,
  lastBootFailed: false,
  maxFrame: 4107,
  credits: 8,
};

const job = { jobId: 'ORD-000001:00-DB-12-34-56-78-90-A0', orderId: 'ORD-000001', target: { version: '02000100', hash: 'cd'.repeat(32), size: 1000, url: '/x' }, alreadyCurrent: false };

describe('what the rig tells the server about a hub', () => {
  it('asks for a job with what the hub said, its own install state included, in the wire schema', () => {
    const hub = jobRequestHub(read);
    expect(hub).toMatchObject({ chfId: read.chfId, hanVariant: 'DualBand', installState: 'Commissioned', firmware: { version: '01260300', hash: read.runningHash } });
    expect(() => encodeJobRequest({ v: 1, requestId: crypto.randomUUID(), rigId: 'RIG-01', hub, at: new Date().toISOString() })).not.toThrow();
  });

  it('reports a result with the job, and the hub as first read when the session could not identify it', () => {
    const result: FlashResult = {
      resultId: crypto.randomUUID(),
      port: '/dev/pts/9',
      to: { version: job.target.version, hash: job.target.hash },
      outcome: 'ineligible',
      error: { code: 'HF0316', name: 'HubInstalled', message: 'installed', context: {} },
      bytesSent: 0,
      bytesResent: 0,
      resumes: 0,
      phases: { connect: 3 },
      startedAt: '2026-11-28T10:00:00.000Z',
      finishedAt: '2026-11-28T10:00:01.000Z',
    };
    const message = resultMessage('RIG-01', result, read, job);
    expect(message).toMatchObject({ rigId: 'RIG-01', orderId: 'ORD-000001', jobId: job.jobId, from: { version: '01260300' }, hub: { chfId: read.chfId, installState: 'Commissioned' } });
    expect(message.error).toEqual({ code: 'HF0316', name: 'HubInstalled', message: 'installed' }); // no context on the wire
    expect(() => encodeResult(message)).not.toThrow();
  });
});
