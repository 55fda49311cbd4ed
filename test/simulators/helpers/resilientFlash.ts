import { createHash } from 'node:crypto';
import { SlotState } from '../../../protocol/messages/index.ts';
import type { TestHost } from './testHost.ts';

/**
 * The host's side of docs/protocol.md section 5, made to survive anything: after any lost reply,
 * power cut or reboot it starts again at CONNECT, and BEGIN of the same image resumes. Returns
 * how many times a request went unanswered and it had to start again.
 */
export async function flashResiliently(host: TestHost, image: Uint8Array, deadlineMs = 10_000): Promise<number> {
  const hash = createHash('sha256').update(image).digest('hex');
  const end = Date.now() + deadlineMs;
  let restarts = 0;
  for (;;) {
    if (Date.now() > end) throw new Error(`flash did not finish within ${deadlineMs} ms (${restarts} restarts)`);
    try {
      await host.connect();
      const id = await host.request({ kind: 'identify' });
      if (id.kind !== 'identify-reply') continue;
      if (id.slotState === SlotState.Trial) {
        await host.request({ kind: 'confirm' });
        continue;
      }
      if (id.runningHash === hash) return restarts;
      if (id.slotState !== SlotState.Complete && id.slotState !== SlotState.Verified) {
        const begin = await host.transfer(image);
        if (begin.kind !== 'begin-reply') throw new Error(`BEGIN refused: ${JSON.stringify(begin)}`);
      }
      const verify = await host.request({ kind: 'verify' });
      if (verify.kind !== 'verify-reply') continue;
      // Committed bytes that read back wrong would break the durability promise: fail loudly.
      if (verify.sha256 !== hash) throw new Error(`staged slot read back ${verify.sha256}, expected ${hash}`);
      const activate = await host.request({ kind: 'activate' });
      if (activate.kind === 'error') throw new Error(`ACTIVATE refused: ${JSON.stringify(activate)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('no reply') || (err as Error).message.startsWith('status failed')) {
        restarts++;
        continue;
      }
      throw err;
    }
  }
}
