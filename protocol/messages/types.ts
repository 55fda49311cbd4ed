/**
 * The hub maintenance protocol's message types (docs/protocol.md). A request's reply type is the
 * request type with the top bit set; ERROR answers any request, and NAKs a write.
 */
export enum MessageType {
  Connect = 0x01,
  Identify = 0x02,
  Status = 0x03,
  Begin = 0x10,
  Write = 0x11,
  Verify = 0x12,
  Activate = 0x13,
  Confirm = 0x14,
  Abort = 0x15,
  ConnectReply = 0x81,
  IdentifyReply = 0x82,
  StatusReply = 0x83,
  BeginReply = 0x90,
  WriteAck = 0x91,
  VerifyReply = 0x92,
  ActivateReply = 0x93,
  ConfirmReply = 0x94,
  AbortReply = 0x95,
  Error = 0xff,
}

export const REPLY_BIT = 0x80;

export const PROTOCOL_VERSION = 1;

/** Every device accepts frames up to this size before CONNECT negotiates a larger one. */
export const DEFAULT_MAX_FRAME = 256;

/** Bytes of a WRITE frame that are not image data: frame overhead plus the u32 offset. */
export const WRITE_OVERHEAD_BYTES = 7 + 4;

/** Image bytes one WRITE frame can carry at a negotiated frame size. */
export function writeDataBytes(maxFrame: number): number {
  return maxFrame - WRITE_OVERHEAD_BYTES;
}

/** What an ERROR reply says went wrong (u8 on the wire). */
export enum DeviceErrorCode {
  /** A frame failed its CRC; arg = the offset the device expects next. */
  BadCrc = 1,
  /** A write did not start where the device expected; arg = the offset it expects next. */
  WrongOffset = 2,
  /** The device cannot take the request now; arg = milliseconds to wait before retrying. */
  Busy = 3,
  /** The bootloader refused the image; arg = a RejectReason. */
  ImageRejected = 4,
  /** Erase, program or read of flash failed; arg = the image offset of the failing block. */
  FlashFailure = 5,
  /** The request is not allowed in the device's current state; arg = its SlotState. */
  BadState = 6,
  /** The request's fields are malformed or out of range. */
  BadRequest = 7,
  /** Unknown request type or protocol version; arg = the device's protocol version. */
  Unsupported = 8,
}

/** Why the bootloader refused an image (the arg of an ImageRejected error). */
export enum RejectReason {
  HashMismatch = 1,
  BadSignature = 2,
  WrongManufacturer = 3,
  WrongImageType = 4,
  HardwareOutOfRange = 5,
  Downgrade = 6,
  Incomplete = 7,
  TooLarge = 8,
  BootFailed = 9,
  Installed = 10,
  Malformed = 11,
}

export enum HanVariant {
  SingleBand = 1,
  DualBand = 2,
}

/** The staged slot's state, as identify and status report it. */
export enum SlotState {
  Empty = 0,
  Receiving = 1,
  Complete = 2,
  Verified = 3,
  /** Booted into the new image, which is not yet confirmed: a power cut reverts to the old one. */
  Trial = 4,
}

/** Whether the hub is installed, as the hub itself knows it (SMI spelling in the comments). */
export enum InstallState {
  NotInstalled = 0,
  /** InstalledNotCommissioned */
  InstalledNotCommissioned = 1,
  /** Commissioned */
  Commissioned = 2,
}
