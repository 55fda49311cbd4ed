import { Duplex } from 'node:stream';
import type { PortRef } from '../../agent/index.ts';
import { encodeFrame, FrameDecoder } from '../../protocol/framing/index.ts';
import { decodeMessage, encodeMessage, type Message } from '../../protocol/messages/index.ts';
import { HubLink, type SimulatedHub } from '../../simulators/index.ts';

/** What the tap does with a message: undefined passes it on; a list replaces it (empty: dropped; twice: repeated). */
export type Edit = (message: Message) => Message[] | undefined;

export interface TappedPort {
  port: PortRef;
  /** The kind of every message that went on to the hub, and to the agent, after the edits. */
  toHub: string[];
  toHost: string[];
  close(): void;
}

/**
 * A simulated hub on an in-memory line with the test in the middle: the tap decodes every frame
 * each way and may change, drop or repeat a message (re-encoded with its own sequence number),
 * for replies and losses no healthy hub would produce on cue.
 */
export function tappedPort(hub: SimulatedHub, edits: { toHub?: Edit; toHost?: Edit } = {}, baud = 2_000_000): TappedPort {
  const seen = { toHub: [] as string[], toHost: [] as string[] };
  const relay = (edit: Edit | undefined, log: string[], out: (bytes: Buffer) => void): FrameDecoder =>
    new FrameDecoder({
      maxFrame: 0x10000,
      onFrame: (frame) => {
        const decoded = decodeMessage(frame);
        if (!decoded.ok) return out(encodeFrame(frame));
        for (const m of edit?.(decoded.message) ?? [decoded.message]) {
          log.push(m.kind);
          out(m === decoded.message ? encodeFrame(frame) : encodeMessage(m, frame.seq));
        }
      },
    });
  const toHost = relay(edits.toHost, seen.toHost, (bytes) => host.push(bytes));
  const line = new HubLink(hub, { baud, latencyMs: 1 }, (bytes) => toHost.push(bytes));
  const toHub = relay(edits.toHub, seen.toHub, (bytes) => line.fromHost(bytes));
  const host = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      toHub.push(chunk);
      done();
    },
  });
  return {
    port: { kind: 'stream', stream: host, name: `tap:${hub.identity.chfId}`, bytesPerSecond: baud / 10, latencyMs: 1 },
    ...seen,
    close: () => {
      line.close();
      host.destroy();
    },
  };
}

/** A powered-on hub behind a tap; `cleanups` gets what closes both. */
export async function tapHub(hub: SimulatedHub, edits: { toHub?: Edit; toHost?: Edit }, cleanups: Array<() => void>): Promise<TappedPort> {
  await hub.powerOn();
  const tap = tappedPort(hub, edits);
  cleanups.push(() => {
    tap.close();
    hub.close();
  });
  return tap;
}
