import { defineCodec, HASH_BYTES, hashFromBytes, hashToBytes } from './codec.ts';
import { MessageType } from './types.ts';

// verify, activate, confirm, abort, and the error reply.

export const verifyCodec = defineCodec({
  type: MessageType.Verify,
  kind: 'verify',
  encode: () => {},
  decode: () => ({ kind: 'verify' }),
});

export const verifyReplyCodec = defineCodec({
  type: MessageType.VerifyReply,
  kind: 'verify-reply',
  encode: (w, m) => void w.fixed(hashToBytes(m.sha256), HASH_BYTES).u32(m.size),
  decode: (r) => ({ kind: 'verify-reply', sha256: hashFromBytes(r.bytesOf(HASH_BYTES)), size: r.u32() }),
});

export const activateCodec = defineCodec({
  type: MessageType.Activate,
  kind: 'activate',
  encode: () => {},
  decode: () => ({ kind: 'activate' }),
});

export const activateReplyCodec = defineCodec({
  type: MessageType.ActivateReply,
  kind: 'activate-reply',
  encode: (w, m) => void w.u32(m.rebootMs),
  decode: (r) => ({ kind: 'activate-reply', rebootMs: r.u32() }),
});

export const confirmCodec = defineCodec({
  type: MessageType.Confirm,
  kind: 'confirm',
  encode: () => {},
  decode: () => ({ kind: 'confirm' }),
});

export const confirmReplyCodec = defineCodec({
  type: MessageType.ConfirmReply,
  kind: 'confirm-reply',
  encode: (w, m) => void w.u32(m.runningVersion).fixed(hashToBytes(m.runningHash), HASH_BYTES),
  decode: (r) => ({ kind: 'confirm-reply', runningVersion: r.u32(), runningHash: hashFromBytes(r.bytesOf(HASH_BYTES)) }),
});

export const abortCodec = defineCodec({
  type: MessageType.Abort,
  kind: 'abort',
  encode: () => {},
  decode: () => ({ kind: 'abort' }),
});

export const abortReplyCodec = defineCodec({
  type: MessageType.AbortReply,
  kind: 'abort-reply',
  encode: () => {},
  decode: () => ({ kind: 'abort-reply' }),
});

export const errorCodec = defineCodec({
  type: MessageType.Error,
  kind: 'error',
  encode: (w, m) => void w.u8(m.requestType).u8(m.code).u32(m.arg).shortString(m.detail),
  decode: (r) => ({ kind: 'error', requestType: r.u8(), code: r.u8(), arg: r.u32(), detail: r.shortString() }),
});
