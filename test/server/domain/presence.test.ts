import { describe, expect, it } from 'vitest';
import { Presence } from '../../../server/domain/rigs/Presence.ts';
import { MemoryStore } from '../../../server/storage/MemoryStore.ts';

describe('rig presence', () => {
  it('shows an online rig that went silent as stale, and drops flashes with no news', async () => {
    let now = Date.parse('2025-01-01T10:00:00Z');
    const store = new MemoryStore();
    const presence = new Presence(store, 60_000, () => now);
    const at = new Date(now).toISOString();
    presence.status('RIG-01', { v: 1, rigId: 'RIG-01', state: 'online', seq: 4, at });
    presence.progress('RIG-01', { v: 1, rigId: 'RIG-01', chfId: '00-DB-00-00-00-00-00-00', phase: 'transfer', bytesSent: 1, bytesTotal: 10, rateBytesPerSecond: 1, at });
    expect(presence.get('RIG-01')).toMatchObject({ state: 'online', stale: false, flashing: [{ chfId: '00-DB-00-00-00-00-00-00' }] });
    now += 61_000;
    expect(presence.get('RIG-01')).toMatchObject({ state: 'online', stale: true, flashing: [] });
    presence.heartbeat('RIG-01', { v: 1, rigId: 'RIG-01', seq: 4, at });
    expect(presence.get('RIG-01').stale).toBe(false);
  });

  it("ends a hub's entry in \"flashing now\" on its done progress, and every entry when the rig goes offline", () => {
    const presence = new Presence(new MemoryStore(), 60_000);
    const at = new Date().toISOString();
    presence.status('RIG-01', { v: 1, rigId: 'RIG-01', state: 'online', seq: 1, at });
    const progress = (chfId: string, phase: 'transfer' | 'done') => presence.progress('RIG-01', { v: 1, rigId: 'RIG-01', chfId, phase, bytesSent: 1, bytesTotal: 10, rateBytesPerSecond: 1, at });
    expect(progress('00-DB-00-00-00-00-00-01', 'transfer')).toBe(true);
    expect(progress('00-DB-00-00-00-00-00-02', 'transfer')).toBe(true);
    expect(progress('00-DB-00-00-00-00-00-03', 'transfer')).toBe(true);
    expect(progress('00-DB-00-00-00-00-00-01', 'done')).toBe(false);
    expect(presence.get('RIG-01').flashing.map((f) => f.chfId)).toEqual(['00-DB-00-00-00-00-00-02', '00-DB-00-00-00-00-00-03']);
    // Its will: whatever it was flashing, it is not any more.
    presence.status('RIG-01', { v: 1, rigId: 'RIG-01', state: 'offline', seq: 2, at });
    expect(presence.get('RIG-01')).toMatchObject({ state: 'offline', flashing: [] });
  });

  it('remembers state and last seen across a restart', async () => {
    const store = new MemoryStore();
    const first = new Presence(store, 60_000);
    first.status('RIG-01', { v: 1, rigId: 'RIG-01', state: 'offline', seq: 7, at: new Date().toISOString() });
    await new Promise<void>((resolve) => setImmediate(resolve)); // the save is fire-and-forget
    const second = new Presence(store, 60_000);
    await second.open();
    expect(second.get('RIG-01')).toMatchObject({ state: 'offline', seq: 7, connected: false, lastSeen: expect.any(String) });
    expect(second.status('RIG-01', { v: 1, rigId: 'RIG-01', state: 'online', seq: 6, at: new Date().toISOString() })).toBe(false);
  });
});
