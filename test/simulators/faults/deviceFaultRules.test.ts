import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type SimulatedHub } from '../../../simulators/index.ts';
import { closeRigs, image, makeHub, rig, V1, V2 } from '../helpers/fixture.ts';

afterEach(closeRigs);

describe('device faults, as docs/simulator.md lists them', () => {
  it('nonsense-identity reports 0xFFFF for every code: manufacturer, hardware version, image type', async () => {
    const { host } = rig({ faults: { nonsenseIdentity: true } });
    expect(await host.request({ kind: 'identify' })).toMatchObject({ manufacturerCode: 0xffff, hardwareVersion: 0xffff, imageType: 0xffff });
  });

  it('a disconnect re-enumerates after 1000 ms by default, or after reenumerate=MS', () => {
    const delays: unknown[] = [];
    const hubs: SimulatedHub[] = [];
    const clock = new ManualClock();
    for (const reenumerateMs of [undefined, 300]) {
      const hub = makeHub({ clock, faults: { disconnect: [{ afterMs: 5 }], reenumerateMs } });
      hub.on('disconnect', (ms: number) => delays.push(ms));
      hubs.push(hub);
    }
    clock.advance(5);
    hubs.forEach((h) => h.close());
    expect(delays).toEqual([1000, 300]);
  });

  it('boot-fail=N fails the next N activated boots, then one boots', async () => {
    const { hub, host } = rig({ faults: { bootFail: 2 } });
    const fails: unknown[] = [];
    hub.on('boot-failed', (b) => fails.push(b));
    await host.connect();
    await host.transfer(image(V2));
    for (const expected of [V1, V1, V2]) {
      expect(await host.request({ kind: 'activate' })).toMatchObject({ kind: 'activate-reply' });
      expect(await host.requestUntilAnswered({ kind: 'identify' })).toMatchObject({ runningVersion: expected });
    }
    expect(fails).toHaveLength(2);
  });
});
