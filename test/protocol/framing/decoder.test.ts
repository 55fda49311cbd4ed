import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameParser, totalDropped, type Frame } from '../../../protocol/framing/index.ts';
import { cobsEncode, frameCrc } from '../../../protocol/framing/index.ts';
import { packFrame } from '../../../protocol/framing/frame.ts';

const MAX = 4096;

function collect(maxFrame = MAX): { decoder: FrameDecoder; frames: Frame[] } {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({ maxFrame, onFrame: (f) => frames.push(f) });
  return { decoder, frames };
}

const frameArb = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  seq: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 600 }),
});

function same(a: Frame, b: Frame): boolean {
  return a.type === b.type && a.seq === b.seq && Buffer.from(a.payload).equals(Buffer.from(b.payload));
}

/** Splits bytes into reads at the given cut points. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('frame decoder', () => {
  it('round-trips frames whatever the split into reads', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (sent, cuts) => {
        const { decoder, frames } = collect();
        const wire = Buffer.concat(sent.map(encodeFrame));
        for (const read of split(wire, cuts)) decoder.push(read);
        expect(frames.length).toBe(sent.length);
        sent.forEach((f, i) => expect(same(f, frames[i]!)).toBe(true));
        expect(totalDropped(decoder.stats)).toBe(0);
      }),
    );
  });

  it('carries delimiter bytes inside payloads', () => {
    const { decoder, frames } = collect();
    const payload = Buffer.alloc(700, 0); // all delimiters
    payload[3] = 0x7e;
    decoder.push(encodeFrame({ type: 0x11, seq: 0, payload }));
    expect(frames).toHaveLength(1);
    expect(Buffer.from(frames[0]!.payload).equals(payload)).toBe(true);
  });

  it('delivers several frames in one read, and one frame byte by byte', () => {
    const { decoder, frames } = collect();
    const a = encodeFrame({ type: 1, seq: 1, payload: Buffer.from('one') });
    const b = encodeFrame({ type: 2, seq: 2, payload: Buffer.from('two') });
    decoder.push(Buffer.concat([a, b, a]));
    for (const byte of b) decoder.push(Uint8Array.of(byte));
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 1, 2]);
  });

  it('drops a bit-flipped frame, counts it, and still decodes the next one', () => {
    fc.assert(
      fc.property(frameArb, frameArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (bad, good, pos, bit) => {
        const { decoder, frames } = collect();
        const corrupted = Buffer.from(encodeFrame(bad));
        const at = 1 + (pos % (corrupted.length - 2)); // inside the frame, not its delimiters
        corrupted[at]! ^= 1 << bit;
        decoder.push(Buffer.concat([corrupted, encodeFrame(good)]));
        // A flip can at worst turn a byte into a delimiter and split the frame; either way no
        // corrupted frame is delivered, the good frame is, and the loss is counted.
        expect(frames.filter((f) => same(f, good)).length).toBeGreaterThanOrEqual(1);
        expect(frames.every((f) => same(f, good))).toBe(true);
        expect(totalDropped(decoder.stats)).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('never throws on random garbage, resyncs, and counts what it dropped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), frameArb, (junk, good) => {
        const { decoder, frames } = collect(1024);
        decoder.push(junk);
        decoder.push(encodeFrame(good));
        expect(frames.filter((f) => same(f, good)).length).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('refuses frames over the negotiated size and recovers, until the size is raised', () => {
    const { decoder, frames } = collect(64);
    const big = encodeFrame({ type: 0x11, seq: 9, payload: Buffer.alloc(200, 0xaa) });
    decoder.push(big);
    expect(frames).toHaveLength(0);
    expect(decoder.stats.dropped.oversize).toBe(1);
    decoder.push(encodeFrame({ type: 1, seq: 1, payload: Buffer.from('small') }));
    expect(frames).toHaveLength(1);
    decoder.setMaxFrame(512);
    decoder.push(big);
    expect(frames).toHaveLength(2);
  });

  it('accepts a frame of exactly the largest size and drops one byte more as oversize, whatever the stuffing costs', () => {
    for (const maxFrame of [64, 256, 2048]) {
      const { decoder, frames } = collect(maxFrame);
      // Zero bytes cost COBS the least, so these are the frames most likely to slip past a bound on wire bytes.
      for (const extra of [0, 1, 2, 8, 20]) decoder.push(encodeFrame({ type: 0x11, seq: extra, payload: Buffer.alloc(maxFrame - 7 + extra, 0) }));
      expect(frames.map((f) => f.seq)).toEqual([0]);
      expect(decoder.stats.dropped.oversize).toBe(4);
    }
  });

  it('counts each drop under its own reason: not COBS, too short, bad CRC', () => {
    const { decoder, frames } = collect();
    decoder.push(Buffer.from([0x00, 0x05, 0x11, 0x00])); // the code byte promises 4 bytes, 1 follows
    expect(decoder.stats.dropped).toEqual({ cobs: 1, short: 0, crc: 0, oversize: 0 });
    decoder.push(Buffer.from([0x00, 0x02, 0x01, 0x00])); // valid COBS of one byte: shorter than any frame
    expect(decoder.stats.dropped).toEqual({ cobs: 1, short: 1, crc: 0, oversize: 0 });
    const raw = packFrame({ type: 3, seq: 4, payload: Buffer.from('hello') });
    raw[4]! ^= 0x01; // a payload byte changed after the CRC was taken
    decoder.push(Buffer.concat([Buffer.from([0]), Buffer.from(cobsEncode(raw)), Buffer.from([0])]));
    expect(decoder.stats.dropped).toEqual({ cobs: 1, short: 1, crc: 1, oversize: 0 });
    expect(frames).toHaveLength(0);
  });

  it('lays a frame out as the spec says, with the standard CRC-32', () => {
    expect(frameCrc(Buffer.from('123456789'))).toBe(0xcbf43926); // the CRC-32/IEEE check value
    const body = Buffer.from([0x02, 0x07, 0x01, 0xaa]); // type 2, seq 0x0107 little-endian, payload AA
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(frameCrc(body));
    expect(packFrame({ type: 2, seq: 0x0107, payload: Buffer.from([0xaa]) })).toEqual(Buffer.concat([body, crc]));
  });

  it('counts truncated frames (a dropped byte) as CRC or framing drops', () => {
    const { decoder, frames } = collect();
    const wire = Buffer.from(encodeFrame({ type: 3, seq: 4, payload: Buffer.from('hello world') }));
    const missing = Buffer.concat([wire.subarray(0, 6), wire.subarray(7)]);
    decoder.push(missing);
    expect(frames).toHaveLength(0);
    expect(totalDropped(decoder.stats)).toBe(1);
    expect(decoder.stats.bytesDropped).toBeGreaterThan(0);
  });

  it('works as a Transform stream', async () => {
    const parser = new FrameParser({ maxFrame: MAX });
    const got: Frame[] = [];
    parser.on('data', (f: Frame) => got.push(f));
    const drops: string[] = [];
    parser.on('drop', (reason: string) => drops.push(reason));
    parser.write(Buffer.from([0x00, 0x12, 0x34, 0x00]));
    parser.write(encodeFrame({ type: 2, seq: 7, payload: new Uint8Array() }));
    await new Promise((r) => setImmediate(r));
    expect(got.map((f) => f.seq)).toEqual([7]);
    expect(drops).toHaveLength(1);
    expect(parser.stats.frames).toBe(1);
  });
});
