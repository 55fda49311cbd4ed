import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../simulators/index.ts';
import { closeRigs, image, makeHub, rig, sha, V2 } from '../helpers/fixture.ts';

afterEach(closeRigs);

describe('events, as docs/simulator.md lists them', () => {
  it("emits 'activated' and 'confirmed' with the new image's version and hash", async () => {
    const img = image(V2);
    const { hub, host } = rig();
    const events: unknown[] = [];
    hub.on('activated', (e) => events.push(['activated', e]));
    hub.on('confirmed', (e) => events.push(['confirmed', e]));
    await host.connect();
    await host.transfer(img);
    await host.request({ kind: 'activate' });
    await host.requestUntilAnswered({ kind: 'identify' });
    await host.request({ kind: 'confirm' });
    const e = { version: V2, hash: sha(img) };
    expect(events).toEqual([
      ['activated', e],
      ['confirmed', e],
    ]);
  });
});

describe('power, as docs/simulator.md describes it', () => {
  it('powerCut() leaves the hub off until powerOn(), and cutting an unpowered hub does nothing', async () => {
    const clock = new ManualClock();
    const hub = makeHub({ clock }); // the fixture's injected power-on delay is 0: a manual cut must not use it
    try {
      let cuts = 0;
      hub.on('power-cut', () => cuts++);
      hub.powerCut();
      hub.powerCut();
      clock.advance(60_000);
      expect(hub.powered).toBe(false);
      expect(cuts).toBe(1);
      const on = hub.powerOn();
      clock.advance(0);
      await on;
      expect(hub.powered).toBe(true);
    } finally {
      hub.close();
    }
  });

  it('a cut during an erase leaves the block partly erased: some cells 0xFF, some not', async () => {
    const img = image(V2);
    const { hub, host } = rig({ flash: { eraseMs: 60_000 } });
    hub.flash.slots[1].program(0, new Uint8Array(4096)); // old content: all zero
    await host.connect();
    expect(await host.request({ kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) })).toMatchObject({
      kind: 'begin-reply',
    });
    hub.powerCut(); // the erase of block 0 began right after BEGIN's settings write
    const block = hub.flash.slots[1].read(0, 4096);
    const erased = block.filter((b) => b === 0xff).length;
    expect(erased).toBeGreaterThan(0);
    expect(erased).toBeLessThan(4096);
  });
});
