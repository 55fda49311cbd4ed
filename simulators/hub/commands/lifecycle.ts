import { createHash } from 'node:crypto';
import { DeviceErrorCode, MessageType, SlotState, type Request } from '../../../protocol/messages/index.ts';
import type { SettingsRecord } from '../../flash/settings.ts';
import { readMs } from '../../flash/timing.ts';
import { checkStagedImage } from '../bootloader.ts';
import type { HubRuntime } from '../runtime.ts';

/** VERIFY, ACTIVATE, CONFIRM, ABORT. */
export function handleLifecycle(rt: HubRuntime, m: Request, seq: number): void {
  if (m.kind === 'verify') verify(rt, seq);
  else if (m.kind === 'activate') activate(rt, seq);
  else if (m.kind === 'confirm') confirm(rt, seq);
  else if (m.kind === 'abort') abort(rt, seq);
}

function requireStagedImage(rt: HubRuntime, type: MessageType, seq: number): boolean {
  const state = rt.slotState();
  if (state === SlotState.Complete || state === SlotState.Verified) return true;
  rt.error(type, DeviceErrorCode.BadState, state, 'the staged image is not complete', seq);
  return false;
}

function verify(rt: HubRuntime, seq: number): void {
  if (!rt.body.reach('verify') || !requireStagedImage(rt, MessageType.Verify, seq)) return;
  const staged = rt.settings.staged!;
  rt.longOperation(readMs(rt.body.opts.flash, staged.size), () => {
    const sha256 = rt.body.flash.slots[rt.stagedSlot].sha256(staged.size);
    rt.verified = sha256 === staged.hash;
    rt.send({ kind: 'verify-reply', sha256, size: staged.size }, seq);
  });
}

function activate(rt: HubRuntime, seq: number): void {
  if (!requireStagedImage(rt, MessageType.Activate, seq)) return;
  const staged = rt.settings.staged!;
  const { flash: timing } = rt.body.opts;
  rt.longOperation(readMs(timing, staged.size) + timing.signatureCheckMs, () => {
    const bytes = rt.body.flash.slots[rt.stagedSlot].read(0, staged.size);
    const check = checkStagedImage(bytes, staged.hash, createHash('sha256').update(bytes).digest('hex'), {
      identity: rt.body.identity,
      installState: rt.body.installState,
      runningVersion: rt.running.version,
      trustedKeys: rt.body.opts.trustedKeys,
    });
    if ('reason' in check) return rt.error(MessageType.Activate, DeviceErrorCode.ImageRejected, check.reason, 'the bootloader refused the image', seq);
    const record: SettingsRecord = { ...rt.settings, staged: { ...staged, version: check.version }, trial: { attempted: false }, lastBootFailed: false };
    const release = rt.holdUntilDone();
    rt.worker.submit({
      op: { kind: 'settings', record },
      step: 'activate',
      done: () => {
        rt.settings = record;
        rt.body.changed();
        rt.send({ kind: 'activate-reply', rebootMs: rt.body.opts.rebootMs }, seq);
        rt.body.emit('activated', { version: check.version, hash: staged.hash });
        rt.body.reboot();
        release();
      },
    });
  });
}

function confirm(rt: HubRuntime, seq: number): void {
  const reply = (): void => rt.send({ kind: 'confirm-reply', runningVersion: rt.running.version, runningHash: rt.running.hash }, seq);
  if (!rt.trial) return reply();
  const staged = rt.settings.staged!;
  const record: SettingsRecord = {
    runningSlot: rt.stagedSlot,
    running: { version: staged.version, size: staged.size, hash: staged.hash },
    staged: null,
    trial: null,
    lastBootFailed: false,
  };
  const release = rt.holdUntilDone();
  rt.worker.submit({
    op: { kind: 'settings', record },
    step: 'confirm',
    done: () => {
      rt.settings = record;
      rt.trial = false;
      rt.transfer = undefined;
      rt.verified = false;
      rt.body.changed();
      reply();
      rt.body.emit('confirmed', { version: staged.version, hash: staged.hash });
      release();
    },
  });
}

function abort(rt: HubRuntime, seq: number): void {
  if (rt.trial) return rt.error(MessageType.Abort, DeviceErrorCode.BadState, SlotState.Trial, 'confirm the trial image first', seq);
  if (rt.settings.staged === null) return rt.send({ kind: 'abort-reply' }, seq);
  const record: SettingsRecord = { ...rt.settings, staged: null };
  const release = rt.holdUntilDone();
  rt.worker.submit({
    op: { kind: 'settings', record },
    done: () => {
      rt.settings = record;
      rt.transfer = undefined;
      rt.verified = false;
      rt.body.changed();
      rt.send({ kind: 'abort-reply' }, seq);
      release();
    },
  });
}
