import { defineCodec, HASH_BYTES, hashFromBytes, hashToBytes, SIGNATURE_BYTES } from './codec.ts';
import { MessageType } from './types.ts';

// begin, write and the write acknowledgement: moving an image into the staged slot.

export const beginCodec = defineCodec({
  type: MessageType.Begin,
  kind: 'begin',
  encode: (w, m) => void w.fixed(hashToBytes(m.imageHash), HASH_BYTES).u32(m.size).u32(m.version).fixed(m.signature, SIGNATURE_BYTES),
  decode: (r) => ({
    kind: 'begin',
    imageHash: hashFromBytes(r.bytesOf(HASH_BYTES)),
    size: r.u32(),
    version: r.u32(),
    signature: r.bytesOf(SIGNATURE_BYTES),
  }),
});

export const beginReplyCodec = defineCodec({
  type: MessageType.BeginReply,
  kind: 'begin-reply',
  encode: (w, m) => void w.u32(m.resumeOffset).u16(m.credits),
  decode: (r) => ({ kind: 'begin-reply', resumeOffset: r.u32(), credits: r.u16() }),
});

export const writeCodec = defineCodec({
  type: MessageType.Write,
  kind: 'write',
  encode: (w, m) => void w.u32(m.offset).bytes(m.data),
  decode: (r) => ({ kind: 'write', offset: r.u32(), data: r.rest() }),
});

export const writeAckCodec = defineCodec({
  type: MessageType.WriteAck,
  kind: 'write-ack',
  encode: (w, m) => void w.u32(m.receivedOffset).u32(m.committedOffset).u16(m.credits),
  decode: (r) => ({ kind: 'write-ack', receivedOffset: r.u32(), committedOffset: r.u32(), credits: r.u16() }),
});
