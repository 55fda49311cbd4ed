import { describe, expect, it } from 'vitest';
import type { BrokerEvents } from '../../../server/broker/Broker.ts';
import { EventBatcher, readEventBatch } from '../../../server/broker/eventBatch.ts';

/** Records events as the storage thread would receive them. */
function recorder(): { events: BrokerEvents; seen: unknown[][] } {
  const seen: unknown[][] = [];
  return {
    seen,
    events: {
      rigMessage: (rigId, kind, payload) => seen.push(['message', rigId, kind, payload.toString('utf8')]),
      rigConnected: (rigId) => seen.push(['connected', rigId]),
      rigDisconnected: (rigId) => seen.push(['disconnected', rigId]),
      refused: (what, who, reason) => seen.push(['refused', what, who, reason]),
    },
  };
}

describe('broker events between threads', () => {
  it('arrive in order, every kind, with the payload bytes intact', () => {
    const batcher = new EventBatcher();
    const pooled = Buffer.from('{"x":"ünïcödé ✓"}'); // a slice of Buffer's shared pool
    batcher.rigConnected('RIG-01');
    batcher.rigMessage('RIG-01', 'results', pooled);
    batcher.rigMessage('RIG-01', 'heartbeat', Buffer.alloc(0));
    batcher.refused('publish', 'rig:RIG-02', 'rig RIG-02 may not publish as rig RIG-01');
    batcher.rigMessage('RIG-02', 'status', Buffer.from('{}'));
    batcher.rigDisconnected('RIG-01');
    expect(batcher.length).toBeGreaterThan(0);
    const batch = structuredClone(batcher.take(), { transfer: [] });
    expect(batcher.length).toBe(0);
    const { events, seen } = recorder();
    readEventBatch(batch, events);
    expect(seen).toEqual([
      ['connected', 'RIG-01'],
      ['message', 'RIG-01', 'results', '{"x":"ünïcödé ✓"}'],
      ['message', 'RIG-01', 'heartbeat', ''],
      ['refused', 'publish', 'rig:RIG-02', 'rig RIG-02 may not publish as rig RIG-01'],
      ['message', 'RIG-02', 'status', '{}'],
      ['disconnected', 'RIG-01'],
    ]);
  });

  it("hands the batch's bytes over whole: one ArrayBuffer of just the payloads, transferable", () => {
    const batcher = new EventBatcher();
    batcher.rigMessage('RIG-01', 'results', Buffer.from('abc'));
    batcher.rigMessage('RIG-01', 'results', Buffer.from('de'));
    const batch = batcher.take();
    expect(batch.bytes.byteLength).toBe(5);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(batch, [batch.bytes]);
    expect(batch.bytes.byteLength).toBe(0); // moved, not copied
    port1.close();
    port2.close();
  });
});
