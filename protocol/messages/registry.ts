import { ByteReader, ByteWriter } from '../binary/index.ts';
import { ErrorCode, HubflashError } from '../errors/index.ts';
import { encodeFrame, type Frame } from '../framing/index.ts';
import type { MessageCodec } from './codec.ts';
import {
  abortCodec,
  abortReplyCodec,
  activateCodec,
  activateReplyCodec,
  confirmCodec,
  confirmReplyCodec,
  errorCodec,
  verifyCodec,
  verifyReplyCodec,
} from './lifecycle-codecs.ts';
import type { Message, MessageKind } from './messages.ts';
import { connectCodec, connectReplyCodec, identifyCodec, identifyReplyCodec, statusCodec, statusReplyCodec } from './session-codecs.ts';
import { beginCodec, beginReplyCodec, writeAckCodec, writeCodec } from './transfer-codecs.ts';
import { MessageType } from './types.ts';

// Every codec; the lookups below are built from this one list.
const codecs = [
  connectCodec,
  connectReplyCodec,
  identifyCodec,
  identifyReplyCodec,
  statusCodec,
  statusReplyCodec,
  beginCodec,
  beginReplyCodec,
  writeCodec,
  writeAckCodec,
  verifyCodec,
  verifyReplyCodec,
  activateCodec,
  activateReplyCodec,
  confirmCodec,
  confirmReplyCodec,
  abortCodec,
  abortReplyCodec,
  errorCodec,
] as MessageCodec<MessageKind>[];

const byType = new Map<number, MessageCodec<MessageKind>>(codecs.map((c) => [c.type, c]));
const byKind = new Map<MessageKind, MessageCodec<MessageKind>>(codecs.map((c) => [c.kind, c]));

export function messageType(kind: MessageKind): MessageType {
  return byKind.get(kind)!.type;
}

/** The frame payload of a message. */
export function encodePayload(message: Message): Buffer {
  const codec = byKind.get(message.kind)!;
  const w = new ByteWriter(message.kind === 'write' ? message.data.length + 8 : 64);
  codec.encode(w, message as never);
  return w.finish();
}

/** A message as a frame. */
export function toFrame(message: Message, seq: number): Frame {
  return { type: messageType(message.kind), seq, payload: encodePayload(message) };
}

/** A message as wire bytes: delimited, stuffed, checksummed. */
export function encodeMessage(message: Message, seq: number): Buffer {
  return encodeFrame(toFrame(message, seq));
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: HubflashError };

/**
 * The message in a frame that passed its CRC. Never throws: an unknown type or a payload too
 * short for its fields comes back as FrameMalformed, to be counted and dropped.
 */
export function decodeMessage(frame: Frame): DecodeResult {
  const codec = byType.get(frame.type);
  if (!codec) {
    return { ok: false, error: new HubflashError(ErrorCode.FrameMalformed, `unknown message type 0x${frame.type.toString(16)}`, { type: frame.type }) };
  }
  const reader = new ByteReader(frame.payload);
  const message = codec.decode(reader);
  if (!reader.ok) {
    return {
      ok: false,
      error: new HubflashError(ErrorCode.FrameMalformed, `${codec.kind} payload of ${frame.payload.length} bytes is too short`, {
        type: frame.type,
      }),
    };
  }
  return { ok: true, message };
}

export function isReplyType(type: number): boolean {
  return type === MessageType.Error || (type & 0x80) !== 0;
}
