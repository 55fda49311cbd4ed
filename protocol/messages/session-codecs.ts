import { defineCodec, DEVICE_ID_BYTES, deviceIdFromWire, deviceIdToWire, HASH_BYTES, hashFromBytes, hashToBytes } from './codec.ts';
import { MessageType } from './types.ts';

// connect, identify and status: what a host asks before and during a transfer.

export const connectCodec = defineCodec({
  type: MessageType.Connect,
  kind: 'connect',
  encode: (w, m) => void w.u8(m.protocolVersion).u16(m.maxFrame),
  decode: (r) => ({ kind: 'connect', protocolVersion: r.u8(), maxFrame: r.u16() }),
});

export const connectReplyCodec = defineCodec({
  type: MessageType.ConnectReply,
  kind: 'connect-reply',
  encode: (w, m) => void w.u8(m.protocolVersion).u16(m.maxFrame).u16(m.credits),
  decode: (r) => ({ kind: 'connect-reply', protocolVersion: r.u8(), maxFrame: r.u16(), credits: r.u16() }),
});

export const identifyCodec = defineCodec({
  type: MessageType.Identify,
  kind: 'identify',
  encode: () => {},
  decode: () => ({ kind: 'identify' }),
});

export const identifyReplyCodec = defineCodec({
  type: MessageType.IdentifyReply,
  kind: 'identify-reply',
  encode: (w, m) => {
    w.u8(m.protocolVersion)
      .bytes(deviceIdToWire(m.chfId))
      .bytes(deviceIdToWire(m.gpfId))
      .u16(m.manufacturerCode)
      .shortString(m.manufacturer)
      .shortString(m.model)
      .u16(m.hardwareVersion)
      .u16(m.imageType)
      .u8(m.hanVariant)
      .u32(m.runningVersion)
      .fixed(hashToBytes(m.runningHash), HASH_BYTES)
      .u8(m.slotState)
      .u8(m.installState)
      .u8(m.lastBootFailed ? 1 : 0)
      .u16(m.maxFrame)
      .u16(m.credits);
  },
  decode: (r) => ({
    kind: 'identify-reply',
    protocolVersion: r.u8(),
    chfId: deviceIdFromWire(r.bytesOf(DEVICE_ID_BYTES)),
    gpfId: deviceIdFromWire(r.bytesOf(DEVICE_ID_BYTES)),
    manufacturerCode: r.u16(),
    manufacturer: r.shortString(),
    model: r.shortString(),
    hardwareVersion: r.u16(),
    imageType: r.u16(),
    hanVariant: r.u8(),
    runningVersion: r.u32(),
    runningHash: hashFromBytes(r.bytesOf(HASH_BYTES)),
    slotState: r.u8(),
    installState: r.u8(),
    lastBootFailed: r.u8() !== 0,
    maxFrame: r.u16(),
    credits: r.u16(),
  }),
});

export const statusCodec = defineCodec({
  type: MessageType.Status,
  kind: 'status',
  encode: () => {},
  decode: () => ({ kind: 'status' }),
});

export const statusReplyCodec = defineCodec({
  type: MessageType.StatusReply,
  kind: 'status-reply',
  encode: (w, m) => {
    w.u8(m.slotState)
      .fixed(hashToBytes(m.stagedHash), HASH_BYTES)
      .u32(m.stagedSize)
      .u32(m.stagedVersion)
      .u32(m.receivedOffset)
      .u32(m.committedOffset)
      .u16(m.credits);
  },
  decode: (r) => ({
    kind: 'status-reply',
    slotState: r.u8(),
    stagedHash: hashFromBytes(r.bytesOf(HASH_BYTES)),
    stagedSize: r.u32(),
    stagedVersion: r.u32(),
    receivedOffset: r.u32(),
    committedOffset: r.u32(),
    credits: r.u16(),
  }),
});
