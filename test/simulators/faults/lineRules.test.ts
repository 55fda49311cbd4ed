import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLink, fastTiming, type SimulatedHub } from '../../../simulators/index.ts';
import { image, makeHub, repliesSince, sha, until, V2 } from '../helpers/fixture.ts';
import { TestHost } from '../helpers/testHost.ts';

const hosts: TestHost[] = [];
let hub: SimulatedHub;
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
  hub?.close();
});

const img = image(V2);
const begin = { kind: 'begin', imageHash: sha(img), size: img.length, version: V2, signature: img.subarray(-64) } as const;

function link(): TestHost {
  const h = new TestHost(createMemoryLink(hub, fastTiming().link).host);
  hosts.push(h);
  return h;
}

describe('line faults act on their own direction, and the port is the latest link', () => {
  it('a fault towards the host leaves what the host sends intact', async () => {
    hub = makeHub({ faults: { toHost: { drop: 1 } } }); // every byte to the host is lost
    const host = link();
    host.send(begin);
    await until(() => hub.snapshot().stagedHash === sha(img), 3000, 'the BEGIN to reach the hub');
    expect(host.replies).toEqual([]);
  });

  it('a stall holds replies too: the line goes quiet in both directions', async () => {
    hub = makeHub({ faults: { stall: [{ ms: 300, at: { step: 'verify' } }] } });
    const host = link();
    await host.connect();
    await host.transfer(img);
    const sent = Date.now();
    expect(await host.request({ kind: 'verify' })).toMatchObject({ kind: 'verify-reply', sha256: sha(img) });
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
  });

  it('a new link replaces the old one: what arrives on the old one is ignored', async () => {
    hub = makeHub();
    const old = link();
    const current = link();
    old.send(begin);
    old.send({ kind: 'identify' });
    const replies = await repliesSince(current, 0);
    expect(replies).toEqual([]);
    expect(await current.request({ kind: 'status' })).toMatchObject({ stagedSize: 0 });
    expect(old.replies).toEqual([]);
  });
});
