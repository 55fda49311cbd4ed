import { FLASH_INSTANT, LINK_INSTANT, openPtyHub, SimulatedHub, type PtyHub } from '../../simulators/index.ts';
import type { DemoHub, DemoWorld } from './world.ts';

export interface DemoFleet {
  hubs: Array<{ demo: DemoHub; hub: SimulatedHub; pty: PtyHub }>;
  stop(): Promise<void>;
}

/**
 * The returned hubs, each a simulated hub on its own pseudo-terminal: the rig's agent opens them
 * with the real serialport, as it would a USB-serial cradle. `instant` drops the link and flash
 * timing (tests); otherwise the line runs at `baud` with SPI NOR flash timing.
 */
export async function startDemoFleet(world: DemoWorld, o: { baud: number; instant: boolean }): Promise<DemoFleet> {
  const hubs: DemoFleet['hubs'] = [];
  try {
    for (const demo of world.hubs) {
      const hub = new SimulatedHub({
        identity: demo.identity,
        trustedKeys: [world.key.publicKeyPem],
        factoryImage: demo.factory.bytes,
        faults: demo.faults,
        rebootMs: o.instant ? 50 : 800,
        seed: 1000 + demo.index,
        ...(o.instant ? { flash: FLASH_INSTANT } : {}),
      });
      const pty = await openPtyHub(hub, o.instant ? LINK_INSTANT : { baud: o.baud });
      hubs.push({ demo, hub, pty });
    }
  } catch (err) {
    await stopAll(hubs);
    throw err;
  }
  return { hubs, stop: () => stopAll(hubs) };
}

async function stopAll(hubs: DemoFleet['hubs']): Promise<void> {
  for (const h of hubs) {
    await h.pty.close();
    h.hub.close();
  }
}
