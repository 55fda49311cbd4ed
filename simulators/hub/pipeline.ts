import type { SettingsRecord } from '../flash/settings.ts';
import { sendAck } from './commands/transfer.ts';
import type { FlashJob } from './flashWorker.ts';
import type { HubRuntime } from './runtime.ts';

/**
 * The transfer pipeline's next flash job, per docs/protocol.md section 2: erase the block at the
 * committed offset (while its data arrives), program each page once its bytes are in RAM, then
 * commit the block in the settings page, which frees its receive buffers and sends a WRITE-ACK.
 */
export function pipelineJob(rt: HubRuntime): FlashJob | undefined {
  const t = rt.transfer;
  if (t === undefined || rt.trial) return undefined;
  const step = t.next();
  if (step === undefined) return undefined;
  const slot = rt.stagedSlot;
  if (step.kind === 'erase') return { op: { kind: 'erase', slot, block: step.block }, done: () => t.done(step) };
  if (step.kind === 'program') return { op: { kind: 'program', slot, address: step.address, data: step.data }, done: () => t.done(step) };
  const record: SettingsRecord = { ...rt.settings, staged: { ...rt.settings.staged!, committedOffset: step.committedOffset } };
  return {
    op: { kind: 'settings', record },
    step: 'commit',
    done: () => {
      rt.settings = record;
      t.done(step);
      rt.body.changed();
      rt.body.emit('committed', step.committedOffset);
      if (rt.transfer === t) sendAck(rt, rt.lastWriteSeq);
    },
  };
}
