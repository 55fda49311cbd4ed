import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../protocol/framing/index.ts';
import { PacedPipe } from '../../simulators/link/pacedPipe.ts';
import { Random } from '../../simulators/random.ts';
import { blockWriteMs, createMemoryLink, FLASH_DEFAULTS, ManualClock, SimulatedHub, makeTestIdentity } from '../../simulators/index.ts';
import { factory, image, key, V2 } from './helpers/fixture.ts';
import { TestHost } from './helpers/testHost.ts';

function pipe(clock: ManualClock, bytesPerSec: number, latencyMs: number) {
  const got: Array<{ at: number; n: number }> = [];
  const p = new PacedPipe({ clock, bytesPerSec, latencyMs, rng: new Random(1), deliver: (b) => got.push({ at: clock.now(), n: b.length }) });
  return { p, got, total: () => got.reduce((s, g) => s + g.n, 0) };
}

describe('link pacing is accounted exactly', () => {
  it('delivers at baud/10 bytes per second plus the latency', () => {
    const clock = new ManualClock();
    const { p, got, total } = pipe(clock, 115_200 / 10, 2);
    p.write(Buffer.alloc(1152, 1)); // 100 ms of line time
    clock.advanceTo(101.9);
    expect(total()).toBe(0);
    clock.advanceTo(102);
    expect(total()).toBe(1152);
    expect(got[0]!.at).toBeCloseTo(102, 6);
  });

  it('keeps the line busy back to back: a second write queues behind the first', () => {
    const clock = new ManualClock();
    const { p, got } = pipe(clock, 1000, 5);
    p.write(Buffer.alloc(100, 1)); // leaves at 100 ms
    clock.advanceTo(50);
    p.write(Buffer.alloc(50, 1)); // starts at 100, leaves at 150
    clock.runAll();
    expect(got.map((g) => g.at)).toEqual([105, 155]);
    expect(p.busyUntil).toBe(150);
  });

  it('delivers each frame when its last byte arrives, not when the whole write does', () => {
    const clock = new ManualClock();
    const { p, got } = pipe(clock, 10_000, 0);
    const a = encodeFrame({ type: 0x11, seq: 1, payload: Buffer.alloc(95, 7) });
    const b = encodeFrame({ type: 0x11, seq: 2, payload: Buffer.alloc(95, 7) });
    p.write(Buffer.concat([a, b]));
    clock.runAll();
    expect(got.map((g) => g.n)).toEqual([a.length, b.length]);
    expect(got[0]!.at).toBeCloseTo((a.length / 10_000) * 1000, 6);
  });

  it('a stall holds everything in flight and what follows', () => {
    const clock = new ManualClock();
    const { p, got } = pipe(clock, 1000, 0);
    p.write(Buffer.alloc(10, 1)); // due at 10
    clock.advanceTo(5);
    p.stall(100);
    p.write(Buffer.alloc(10, 1));
    clock.runAll();
    expect(got.map((g) => g.at)).toEqual([110, 120]);
  });
});

/** Runs a transfer on a manual clock, stepping simulated time while the host reacts in between. */
async function timedTransfer(baud: number, blocks: number) {
  const clock = new ManualClock();
  const hub = new SimulatedHub({ identity: makeTestIdentity(0), trustedKeys: [key.publicKeyPem], factoryImage: factory, clock, rebootMs: 0 });
  const mem = createMemoryLink(hub, { baud, latencyMs: 2 });
  const host = new TestHost(mem.host);
  host.timeoutMs = 60_000;
  const img = image(V2, { payloadBytes: blocks * 4096 - 400 });
  let done = false;
  const run = (async () => {
    await host.connect();
    const started = clock.now();
    await host.transfer(img, { stallMs: 60_000 });
    done = true;
    return clock.now() - started;
  })();
  while (!done) {
    clock.advance(0.25);
    await new Promise((r) => setImmediate(r));
  }
  const elapsed = await run;
  host.close();
  hub.close();
  return { elapsed, img };
}

describe('the hub overlaps flash work with reception (docs/protocol.md section 2)', () => {
  it('is flash-bound on a fast line: one erase + program + commit per block, nothing more', async () => {
    const { elapsed, img } = await timedTransfer(3_000_000, 12);
    const blocks = Math.ceil(img.length / 4096);
    const flash = blocks * (blockWriteMs(FLASH_DEFAULTS) + FLASH_DEFAULTS.settingsWriteMs);
    // BEGIN's round trip and settings write come before; the first block's data must arrive.
    expect(elapsed).toBeGreaterThanOrEqual(flash);
    expect(elapsed).toBeLessThan(flash * 1.03 + 20);
  });

  it('is link-bound on a slow line: the window keeps the line busy', async () => {
    const { elapsed, img } = await timedTransfer(115_200, 6);
    const frames = Math.ceil(img.length / 4096);
    const wire = img.length + frames * (11 + 2 + Math.ceil(4107 / 254));
    const link = (wire / 11_520) * 1000;
    expect(elapsed).toBeGreaterThan(link);
    // After the last byte: its page program and the block commit, and the ack's trip back.
    expect(elapsed).toBeLessThan(link * 1.02 + 10);
  });
});
