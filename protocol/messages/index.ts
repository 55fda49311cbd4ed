export * from './types.ts';
export type * from './messages.ts';
export { encodeMessage, encodePayload, decodeMessage, toFrame, messageType, isReplyType, type DecodeResult } from './registry.ts';
export { errorFromReply, describeRejectReason } from './errors.ts';
export { HASH_BYTES, SIGNATURE_BYTES, DEVICE_ID_BYTES } from './codec.ts';
