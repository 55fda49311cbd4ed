import { BASE_HEADER_LENGTH, SIGNATURE_LENGTH } from '../../../protocol/image/constants.ts';
import {
  DeviceErrorCode,
  InstallState,
  MessageType,
  RejectReason,
  SlotState,
  type BeginRequest,
  type Request,
  type WriteRequest,
} from '../../../protocol/messages/index.ts';
import type { SettingsRecord } from '../../flash/settings.ts';
import type { HubRuntime } from '../runtime.ts';
import { StagedTransfer } from '../transfer.ts';

/** BEGIN and WRITE. Returns false if the request is neither. */
export function handleTransfer(rt: HubRuntime, m: Request, seq: number): boolean {
  if (m.kind === 'begin') begin(rt, m, seq);
  else if (m.kind === 'write') write(rt, m, seq);
  else return false;
  return true;
}

function begin(rt: HubRuntime, m: BeginRequest, seq: number): void {
  if (!rt.body.reach('begin')) return;
  const reject = (reason: RejectReason, detail: string): void => rt.error(MessageType.Begin, DeviceErrorCode.ImageRejected, reason, detail, seq);
  if (rt.body.installState !== InstallState.NotInstalled) return reject(RejectReason.Installed, 'the hub is installed');
  if (m.size > rt.body.opts.slotSize) return reject(RejectReason.TooLarge, `the slot holds ${rt.body.opts.slotSize} bytes`);
  if (m.size < BASE_HEADER_LENGTH + SIGNATURE_LENGTH) {
    return rt.error(MessageType.Begin, DeviceErrorCode.BadRequest, 0, `an image of ${m.size} bytes cannot hold a header and signature`, seq);
  }
  if (rt.trial) return rt.error(MessageType.Begin, DeviceErrorCode.BadState, SlotState.Trial, 'confirm or reset the trial image first', seq);

  const staged = rt.settings.staged;
  if (staged !== null && rt.transfer && staged.hash === m.imageHash && staged.size === m.size) {
    rt.send({ kind: 'begin-reply', resumeOffset: rt.transfer.receivedOffset, credits: rt.credits() }, seq);
    return;
  }
  const record: SettingsRecord = {
    ...rt.settings,
    staged: { hash: m.imageHash, size: m.size, version: m.version, signature: Buffer.from(m.signature).toString('hex'), committedOffset: 0 },
  };
  const release = rt.holdUntilDone();
  rt.worker.submit({
    op: { kind: 'settings', record },
    done: () => {
      rt.settings = record;
      rt.transfer = new StagedTransfer(m.size, 0, rt.capacity());
      rt.verified = false;
      rt.body.changed();
      rt.send({ kind: 'begin-reply', resumeOffset: 0, credits: rt.credits() }, seq);
      release();
    },
  });
}

function write(rt: HubRuntime, m: WriteRequest, seq: number): void {
  rt.lastWriteSeq = seq;
  if (!rt.body.reach('write')) return;
  const state = rt.slotState();
  const t = rt.transfer;
  if (t === undefined || state === SlotState.Empty || state === SlotState.Trial) {
    return rt.error(MessageType.Write, DeviceErrorCode.BadState, state, 'no image is being received', seq);
  }
  const outcome = t.write(m.offset, m.data, rt.dataBytes);
  switch (outcome.kind) {
    case 'past-end':
      return rt.error(MessageType.Write, DeviceErrorCode.BadRequest, 0, `write ends past the image's ${t.size} bytes`, seq);
    case 'nak':
      if (t.mayNak()) rt.error(MessageType.Write, outcome.code, t.receivedOffset, outcome.code === DeviceErrorCode.Busy ? 'no receive buffer free' : 'gap before this write', seq);
      return;
    case 'accepted':
      if (!rt.body.reachOffset(t.receivedOffset)) return;
      sendAck(rt, seq);
      rt.worker.kick();
      return;
    case 'retransmission':
      return sendAck(rt, seq);
  }
}

export function sendAck(rt: HubRuntime, seq: number): void {
  const t = rt.transfer!;
  rt.send({ kind: 'write-ack', receivedOffset: t.receivedOffset, committedOffset: t.committedOffset, credits: rt.credits() }, seq);
}
