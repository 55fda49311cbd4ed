import cliProgress from 'cli-progress';
import type { FlashResult, SessionProgress } from '../session/index.ts';

/**
 * One live bar per hub on a terminal (cli-progress MultiBar): committed bytes of the image, the
 * phase, rate and re-sent bytes. Presentation only; fed from the rig's progress and result events.
 */
export class ProgressBars {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.multi = new cliProgress.MultiBar(
      {
        stream,
        format: '{port} {hub} |{bar}| {percentage}% {phase} {rate} KiB/s re-sent {resent} B',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 5,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(p: SessionProgress): void {
    const bar = this.bar(p.port, p.size);
    bar.setTotal(p.size);
    bar.update(p.committedOffset, {
      port: p.port,
      hub: p.chfId ?? '?',
      phase: p.phase.padEnd(8),
      rate: (p.rateBytesPerSecond / 1024).toFixed(1),
      resent: p.bytesResent,
    });
  }

  finish(r: FlashResult): void {
    const bar = this.bar(r.port, 1);
    const done = r.outcome === 'verified' || r.outcome === 'already-current';
    bar.update(done ? bar.getTotal() : bar.getProgress() * bar.getTotal(), {
      port: r.port,
      hub: r.hub?.chfId ?? '?',
      phase: done ? r.outcome : `${r.outcome} ${r.error?.code ?? ''}`,
      rate: '-',
      resent: r.bytesResent,
    });
  }

  stop(): void {
    this.multi.stop();
  }

  private bar(port: string, total: number): cliProgress.SingleBar {
    let bar = this.bars.get(port);
    if (!bar) {
      bar = this.multi.create(total, 0, { port, hub: '?', phase: 'connect', rate: '0.0', resent: 0 });
      this.bars.set(port, bar);
    }
    return bar;
  }
}
