import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors/index.ts';
import { describeRejectReason, DeviceErrorCode, errorFromReply, MessageType, RejectReason, SlotState, type ErrorReply } from '../../../protocol/messages/index.ts';

// An ERROR reply becomes the HubflashError docs/errors.md lists for its code, with its argument
// named for what it means (docs/protocol.md §3, the ERROR codes table).

function reply(requestType: number, code: number, arg = 0, detail = ''): ErrorReply {
  return { kind: 'error', requestType, code, arg, detail };
}

describe('ERROR replies as errors', () => {
  it('each device error code maps to its own error code; an unknown one is an unexpected reply', () => {
    const expected: Array<[DeviceErrorCode | number, ErrorCode]> = [
      [DeviceErrorCode.BadCrc, ErrorCode.DeviceBadCrc],
      [DeviceErrorCode.WrongOffset, ErrorCode.DeviceWrongOffset],
      [DeviceErrorCode.Busy, ErrorCode.DeviceBusy],
      [DeviceErrorCode.ImageRejected, ErrorCode.DeviceImageRejected],
      [DeviceErrorCode.FlashFailure, ErrorCode.DeviceFlashFailure],
      [DeviceErrorCode.BadState, ErrorCode.DeviceBadState],
      [DeviceErrorCode.BadRequest, ErrorCode.DeviceBadRequest],
      [DeviceErrorCode.Unsupported, ErrorCode.DeviceUnsupported],
      [0, ErrorCode.DeviceUnexpectedReply],
      [99, ErrorCode.DeviceUnexpectedReply],
    ];
    for (const [device, code] of expected) {
      const err = errorFromReply(reply(MessageType.Begin, device, 3, ''));
      expect(err.code, `device code ${device}`).toBe(code);
      expect(err.context).toMatchObject({ request: 'Begin', deviceCode: device, detail: '' });
    }
  });

  it('names the request it answers, or its type in hex when unknown', () => {
    expect(errorFromReply(reply(MessageType.Activate, DeviceErrorCode.BadRequest)).message).toMatch(/^the hub refused Activate \(/);
    const unknown = errorFromReply(reply(0x42, DeviceErrorCode.Unsupported));
    expect(unknown.context.request).toBe('0x42');
    expect(unknown.message).toMatch(/^the hub refused 0x42 \(/);
  });

  it("appends the device's detail text in brackets, and nothing when it has none", () => {
    expect(errorFromReply(reply(MessageType.Begin, DeviceErrorCode.BadRequest, 0, 'image too small')).message).toMatch(/^the hub refused Begin \(image too small\) \(HF/);
    expect(errorFromReply(reply(MessageType.Begin, DeviceErrorCode.BadRequest, 0, '')).message).toMatch(/^the hub refused Begin \(HF/);
  });

  it('a NAK (BadCrc, WrongOffset or Busy to a WRITE) carries the offset the hub expects, never a retry delay', () => {
    for (const code of [DeviceErrorCode.BadCrc, DeviceErrorCode.WrongOffset, DeviceErrorCode.Busy]) {
      const err = errorFromReply(reply(MessageType.Write, code, 20_370));
      expect(err.context.expectedOffset, `code ${code}`).toBe(20_370);
      expect(err.context.retryAfterMs).toBeUndefined();
      expect(err.message).toContain('the hub expects offset 20370 next');
    }
    expect(errorFromReply(reply(MessageType.Write, DeviceErrorCode.Busy, 8)).message).toMatch(/^a write arrived with no receive buffer free/);
    expect(errorFromReply(reply(MessageType.Write, DeviceErrorCode.BadCrc, 8)).message).toMatch(/^a frame failed its CRC/);
    expect(errorFromReply(reply(MessageType.Write, DeviceErrorCode.WrongOffset, 8)).message).toMatch(/^a write was out of order/);
  });

  it('Busy to anything but a WRITE is a retry delay in ms, not an offset', () => {
    const err = errorFromReply(reply(MessageType.Verify, DeviceErrorCode.Busy, 250));
    expect(err.context).toMatchObject({ retryAfterMs: 250 });
    expect(err.context.expectedOffset).toBeUndefined();
    expect(err.message).toMatch(/retry after 250 ms/);
  });

  it('BadState names the slot state, by name when known and by number otherwise', () => {
    const err = errorFromReply(reply(MessageType.Write, DeviceErrorCode.BadState, SlotState.Trial));
    expect(err.context.slotState).toBe('Trial');
    expect(err.context.expectedOffset).toBeUndefined();
    expect(err.message).toMatch(/^Write is not allowed while the staged slot is Trial/);
    const odd = errorFromReply(reply(MessageType.Abort, DeviceErrorCode.BadState, 9));
    expect(odd.context.slotState).toBe(9);
    expect(odd.message).toMatch(/staged slot is 9/);
  });

  it('FlashFailure carries the image offset of the failing block, also when it answers a WRITE', () => {
    for (const request of [MessageType.Write, MessageType.Verify]) {
      const err = errorFromReply(reply(request, DeviceErrorCode.FlashFailure, 0x3000));
      expect(err.context.offset).toBe(0x3000);
      expect(err.context.expectedOffset).toBeUndefined();
    }
  });

  it('ImageRejected names its reason; each reason has its own text and an unknown one its number', () => {
    const texts = new Set<string>();
    const reasons = Object.values(RejectReason).filter((v): v is RejectReason => typeof v === 'number');
    expect(reasons).toHaveLength(11);
    for (const reason of reasons) {
      const err = errorFromReply(reply(MessageType.Activate, DeviceErrorCode.ImageRejected, reason));
      expect(err.context.reason).toBe(RejectReason[reason]);
      expect(err.message).toContain(`the hub rejected the image: ${describeRejectReason(reason)}`);
      texts.add(describeRejectReason(reason));
    }
    expect(texts.size).toBe(reasons.length);
    expect(describeRejectReason(RejectReason.Installed)).toMatch(/installed/);
    expect(describeRejectReason(RejectReason.Incomplete)).toMatch(/incomplete/);
    expect(describeRejectReason(RejectReason.HashMismatch)).toMatch(/hash/);
    expect(describeRejectReason(RejectReason.BadSignature)).toMatch(/signature/);
    expect(describeRejectReason(RejectReason.HardwareOutOfRange)).toMatch(/hardware/);
    expect(describeRejectReason(RejectReason.TooLarge)).toMatch(/does not fit/);
    const unknown = errorFromReply(reply(MessageType.Begin, DeviceErrorCode.ImageRejected, 42));
    expect(unknown.context.reason).toBe(42);
    expect(unknown.message).toContain('the hub rejected the image: reason 42');
  });
});
