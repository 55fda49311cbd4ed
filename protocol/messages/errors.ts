import { ErrorCode, HubflashError } from '../errors/index.ts';
import type { ErrorReply } from './messages.ts';
import { DeviceErrorCode, MessageType, RejectReason, SlotState } from './types.ts';

const codeFor: Record<DeviceErrorCode, ErrorCode> = {
  [DeviceErrorCode.BadCrc]: ErrorCode.DeviceBadCrc,
  [DeviceErrorCode.WrongOffset]: ErrorCode.DeviceWrongOffset,
  [DeviceErrorCode.Busy]: ErrorCode.DeviceBusy,
  [DeviceErrorCode.ImageRejected]: ErrorCode.DeviceImageRejected,
  [DeviceErrorCode.FlashFailure]: ErrorCode.DeviceFlashFailure,
  [DeviceErrorCode.BadState]: ErrorCode.DeviceBadState,
  [DeviceErrorCode.BadRequest]: ErrorCode.DeviceBadRequest,
  [DeviceErrorCode.Unsupported]: ErrorCode.DeviceUnsupported,
};

const rejectText: Record<RejectReason, string> = {
  [RejectReason.HashMismatch]: 'the staged image does not match the hash given at begin',
  [RejectReason.BadSignature]: "the manufacturer signature does not verify against the hub's trusted key",
  [RejectReason.WrongManufacturer]: "the image is for another manufacturer",
  [RejectReason.WrongImageType]: "the image is for another image type (model)",
  [RejectReason.HardwareOutOfRange]: "the hub's hardware version is outside the image's range",
  [RejectReason.Downgrade]: 'the image is not newer than the running firmware',
  [RejectReason.Incomplete]: 'the staged image is incomplete',
  [RejectReason.TooLarge]: 'the image does not fit the staged slot',
  [RejectReason.BootFailed]: 'the new image failed to boot; the hub fell back to its previous image',
  [RejectReason.Installed]: 'the hub is installed and may not be re-flashed',
  [RejectReason.Malformed]: 'the staged image is not a valid manufacturer image',
};

const nakText: Partial<Record<DeviceErrorCode, string>> = {
  [DeviceErrorCode.BadCrc]: 'a frame failed its CRC',
  [DeviceErrorCode.WrongOffset]: 'a write was out of order',
  [DeviceErrorCode.Busy]: 'a write arrived with no receive buffer free',
};

export function describeRejectReason(reason: number): string {
  return rejectText[reason as RejectReason] ?? `reason ${reason}`;
}

/** The HubflashError for a device's ERROR reply, with the reply's argument named in the context. */
export function errorFromReply(reply: ErrorReply): HubflashError {
  const code = codeFor[reply.code] ?? ErrorCode.DeviceUnexpectedReply;
  const request = MessageType[reply.requestType] ?? `0x${reply.requestType.toString(16)}`;
  const context: Record<string, unknown> = { request, deviceCode: reply.code, detail: reply.detail };
  let what: string;
  if (reply.requestType === MessageType.Write && nakText[reply.code] !== undefined) {
    // A NAK: whatever its reason, its arg is the offset the device expects next.
    context.expectedOffset = reply.arg;
    return new HubflashError(code, `${nakText[reply.code] ?? 'a write was refused'}; the hub expects offset ${reply.arg} next`, context);
  }
  switch (reply.code) {
    case DeviceErrorCode.Busy:
      context.retryAfterMs = reply.arg;
      what = `the hub is busy; retry after ${reply.arg} ms`;
      break;
    case DeviceErrorCode.ImageRejected:
      context.reason = RejectReason[reply.arg] ?? reply.arg;
      what = `the hub rejected the image: ${describeRejectReason(reply.arg)}`;
      break;
    case DeviceErrorCode.FlashFailure:
      context.offset = reply.arg;
      what = `flash failure at image offset 0x${reply.arg.toString(16)}`;
      break;
    case DeviceErrorCode.BadState:
      context.slotState = SlotState[reply.arg] ?? reply.arg;
      what = `${request} is not allowed while the staged slot is ${SlotState[reply.arg] ?? reply.arg}`;
      break;
    default:
      what = `the hub refused ${request}`;
  }
  return new HubflashError(code, reply.detail ? `${what} (${reply.detail})` : what, context);
}
