import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from '../../agent/daemon/progressThrottle.ts';
import { checkEligibility, checkIdentity, prepareImage } from '../../agent/session/index.ts';
import { ErrorCode, isHubflashError } from '../../protocol/errors/index.ts';
import { HanVariant, InstallState, SlotState, type IdentifyReply } from '../../protocol/messages/index.ts';
import { makeFirmwareImage } from '../../simulators/index.ts';
import { makeFirmware } from './fixtures.ts';

// The host's own checks, one rule at a time (the simulator's faults break several at once).

const fw = makeFirmware(8 * 1024);

const goodHub = (more: Partial<IdentifyReply> = {}): IdentifyReply => ({
  kind: 'identify-reply',
  protocolVersion: 1,
  chfId: '00-DB-12-34-56-78-00-01',
  gpfId: '00-DB-12-34-56-78-80-01',
  manufacturerCode: fw.image.image.header.manufacturerCode,
  manufacturer: 'Test Hubs Ltd',
  model: 'TH-1',
  hardwareVersion: 0x0100,
  imageType: fw.image.image.header.imageType,
  hanVariant: HanVariant.DualBand,
  runningVersion: 0x01000000,
  runningHash: 'ab'.repeat(32),
  slotState: SlotState.Empty,
  installState: InstallState.NotInstalled,
  lastBootFailed: false,
  maxFrame: 2048,
  credits: 8,
  ...more,
});

function identityProblems(reply: IdentifyReply): string[] {
  try {
    checkIdentity(reply, '/dev/ttyTEST');
    return [];
  } catch (err) {
    if (!isHubflashError(err, ErrorCode.HubIdentityInvalid)) throw err;
    return err.context.problems as string[];
  }
}

describe("the host's checks on what a hub says", () => {
  it('accepts a sound identity, and refuses each nonsensical field on its own', () => {
    expect(identityProblems(goodHub())).toEqual([]);
    expect(identityProblems(goodHub({ gpfId: '00-DB-12-34-56-78-00-01' }))).toEqual(['CHF and GPF IDs are the same']);
    expect(identityProblems(goodHub({ credits: 0 }))).toEqual(['it offers no receive buffers']);
    expect(identityProblems(goodHub({ chfId: 'FF-FF-FF-FF-FF-FF-FF-FF' }))).toEqual(['CHF ID FF-FF-FF-FF-FF-FF-FF-FF is not an assigned EUI-64']);
    expect(identityProblems(goodHub({ model: 'TH\u0001' }))).toHaveLength(1);
    expect(identityProblems(goodHub({ slotState: 9 as SlotState }))).toEqual(['slot state 9 is unknown']);
  });

  it('calls an image no newer than the running one a downgrade, even at the same version', () => {
    expect(checkEligibility(fw.image, goodHub())).toBeUndefined();
    expect(checkEligibility(fw.image, goodHub({ runningVersion: 0x02000000 }))?.code).toBe(ErrorCode.HubDowngrade);
    expect(checkEligibility(fw.image, goodHub({ runningVersion: 0x03000000 }))?.code).toBe(ErrorCode.HubDowngrade);
  });

  it('lets an image without an upgradeable-from list go onto any older version', () => {
    const open = prepareImage(makeFirmwareImage({ privateKeyPem: fw.key.privateKeyPem, version: 0x02000000, payloadBytes: 1024 }), [fw.key.publicKeyPem]);
    expect(open.image.upgradeableFrom).toBeUndefined();
    for (const runningVersion of [0x00010000, 0x01000000, 0x01ffffff]) expect(checkEligibility(open, goodHub({ runningVersion }))).toBeUndefined();
    expect(checkEligibility(fw.image, goodHub({ runningVersion: 0x00010000 }))?.code).toBe(ErrorCode.HubNotUpgradeableFrom);
  });
});

describe('live progress throttling', () => {
  it('sends at most one update per interval per hub, but a change of phase at once', () => {
    const t = new ProgressThrottle(500);
    expect(t.due('hub-a', 'transfer', 0)).toBe(true);
    expect(t.due('hub-a', 'transfer', 100)).toBe(false);
    expect(t.due('hub-b', 'transfer', 100)).toBe(true);
    expect(t.due('hub-a', 'verify', 110)).toBe(true);
    expect(t.due('hub-a', 'verify', 400)).toBe(false);
    expect(t.due('hub-a', 'verify', 610)).toBe(true);
  });
});
