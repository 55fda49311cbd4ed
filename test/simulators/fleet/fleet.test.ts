import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isHubflashError } from '../../../protocol/errors/index.ts';
import { InstallState, RejectReason } from '../../../protocol/messages/index.ts';
import { createMemoryLink, fastTiming, makeFirmwareImage, makeManufacturerKey, startSimulatedHubs, type SimulatedFleet } from '../../../simulators/index.ts';
import { TestHost } from '../helpers/testHost.ts';

let fleet: SimulatedFleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('startSimulatedHubs', () => {
  it('starts distinct hubs running one factory image, trusting a key whose private half it exposes', async () => {
    const t = fastTiming();
    fleet = await startSimulatedHubs({ count: 3, transport: 'none', faults: 'hub1:commissioned', flash: t.flash, rebootMs: 0, factoryVersion: 0x01020000 });
    const ids = fleet.hubs.map((h) => h.identity.chfId);
    expect(new Set(ids).size).toBe(3);
    expect(fleet.hubs.map((h) => h.path)).toEqual(['', '', '']);
    const running = fleet.hubs.map((h) => h.hub.snapshot().running);
    expect(new Set(running.map((r) => r.hash)).size).toBe(1);
    expect(running[0]!.version).toBe(0x01020000);
    expect(fleet.hubs[1]!.hub.reportedIdentity().installState).toBe(InstallState.Commissioned);
    expect(fleet.trustedKeys).toEqual([fleet.manufacturerKey!.publicKeyPem]);

    // An upgrade signed with the fleet's key passes hub 0's bootloader.
    const upgrade = makeFirmwareImage({ privateKeyPem: fleet.manufacturerKey!.privateKeyPem, version: 0x02000000, hardware: { min: 0x0100, max: 0x0100 } });
    const host = new TestHost(createMemoryLink(fleet.hubs[0]!.hub, t.link).host);
    await host.connect();
    await host.transfer(upgrade);
    expect(await host.request({ kind: 'activate' })).toMatchObject({ kind: 'activate-reply' });
    host.close();
  });

  it('uses given trusted keys: an image signed by another key is refused', async () => {
    const t = fastTiming();
    const trusted = makeManufacturerKey();
    fleet = await startSimulatedHubs({ count: 1, transport: 'none', trustedKeys: [trusted.publicKeyPem], flash: t.flash });
    expect(fleet.manufacturerKey).toBeUndefined();
    const stranger = makeFirmwareImage({ privateKeyPem: makeManufacturerKey().privateKeyPem, version: 0x02000000 });
    const host = new TestHost(createMemoryLink(fleet.hubs[0]!.hub, t.link).host);
    await host.connect();
    await host.transfer(stranger);
    expect(await host.request({ kind: 'activate' })).toMatchObject({ kind: 'error', arg: RejectReason.BadSignature });
    host.close();
  });

  it('refuses faults for hubs that do not exist', async () => {
    let caught: unknown;
    try {
      fleet = await startSimulatedHubs({ count: 2, transport: 'none', faults: 'hub2:boot-fail' });
    } catch (err) {
      caught = err;
    }
    expect(isHubflashError(caught, ErrorCode.SimFaultSpecInvalid)).toBe(true);
  });

  it('puts each hub on its own pseudo-terminal and reports re-enumeration', async () => {
    fleet = await startSimulatedHubs({ count: 2, faults: 'hub1:disconnect@after=10;hub1:reenumerate=5', flash: fastTiming().flash });
    const paths = fleet.hubs.map((h) => h.path);
    expect(paths.every((p) => p.startsWith('/dev/pts/'))).toBe(true);
    expect(new Set(paths).size).toBe(2);
    const moved = await new Promise<{ index: number; path: string }>((resolve) => fleet!.events.once('reenumerated', resolve));
    expect(moved.index).toBe(1);
    expect(moved.path).not.toBe(paths[1]);
    expect(fleet.hubs[1]!.path).toBe(moved.path);
  });
});
