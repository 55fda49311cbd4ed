import { DeviceErrorCode, MessageType, PROTOCOL_VERSION, WRITE_OVERHEAD_BYTES, type Request } from '../../../protocol/messages/index.ts';
import type { HubRuntime } from '../runtime.ts';

const ZERO_HASH = '00'.repeat(32);

/** CONNECT, IDENTIFY, STATUS: answered at once in every state. Returns false if not one of them. */
export function handleSession(rt: HubRuntime, m: Request, seq: number): boolean {
  switch (m.kind) {
    case 'connect':
      connect(rt, m.protocolVersion, m.maxFrame, seq);
      return true;
    case 'identify':
      identify(rt, seq);
      return true;
    case 'status': {
      const staged = rt.settings.staged;
      rt.send(
        {
          kind: 'status-reply',
          slotState: rt.slotState(),
          stagedHash: staged?.hash ?? ZERO_HASH,
          stagedSize: staged?.size ?? 0,
          stagedVersion: staged?.version ?? 0,
          receivedOffset: rt.transfer?.receivedOffset ?? 0,
          committedOffset: rt.transfer?.committedOffset ?? 0,
          credits: rt.credits(),
        },
        seq,
      );
      return true;
    }
    default:
      return false;
  }
}

function connect(rt: HubRuntime, version: number, hostMaxFrame: number, seq: number): void {
  if (version !== PROTOCOL_VERSION) {
    return rt.error(MessageType.Connect, DeviceErrorCode.Unsupported, PROTOCOL_VERSION, `protocol version ${version} is not supported`, seq);
  }
  if (hostMaxFrame <= WRITE_OVERHEAD_BYTES) {
    return rt.error(MessageType.Connect, DeviceErrorCode.BadRequest, 0, `maxFrame ${hostMaxFrame} cannot carry a write`, seq);
  }
  rt.agreedFrame = Math.min(hostMaxFrame, rt.body.opts.maxFrame);
  if (rt.transfer) rt.transfer.capacityBytes = rt.capacity();
  rt.send({ kind: 'connect-reply', protocolVersion: PROTOCOL_VERSION, maxFrame: rt.agreedFrame, credits: rt.credits() }, seq);
}

function identify(rt: HubRuntime, seq: number): void {
  const id = rt.body.reportedIdentity();
  rt.send(
    {
      kind: 'identify-reply',
      protocolVersion: PROTOCOL_VERSION,
      chfId: id.chfId,
      gpfId: id.gpfId,
      manufacturerCode: id.manufacturerCode,
      manufacturer: id.manufacturer,
      model: id.model,
      hardwareVersion: id.hardwareVersion,
      imageType: id.imageType,
      hanVariant: id.hanVariant,
      runningVersion: rt.running.version,
      runningHash: rt.running.hash,
      slotState: rt.slotState(),
      installState: id.installState,
      lastBootFailed: rt.settings.lastBootFailed,
      maxFrame: rt.body.opts.maxFrame,
      credits: rt.credits(),
    },
    seq,
  );
}
