import { EventEmitter, setMaxListeners } from 'node:events';
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, HubflashError, isHubflashError } from '../../protocol/errors/index.ts';
import { formatFirmwareVersion } from '../../protocol/ids/index.ts';
import type { IdentifyReply } from '../../protocol/messages/index.ts';
import type { JobAssignment, JobMessage } from '../../protocol/mqtt/index.ts';
import { Journal, MergedDiscovery, Rig, SerialDiscovery, UsbDiscovery, type Discovery } from '../rig/index.ts';
import type { FlashResult, SessionPolicy, SessionProgress } from '../session/index.ts';
import { portName, type PortRef } from '../transport/index.ts';
import { BirthCounter } from './birthCounter.ts';
import type { AgentConfig } from './config.ts';
import { ImageCache } from './imageCache.ts';
import { delay } from './delay.ts';
import { JobClient } from './jobClient.ts';
import { LandedResultWait } from './landedWait.ts';
import { ResultOutbox } from './outbox.ts';
import { jobRequestHub, resultMessage } from './reports.ts';
import { ServerLink } from './serverLink.ts';
import { ProgressThrottle } from './progressThrottle.ts';

export interface DaemonEvents {
  /** A hub's job was refused by the server: it is set aside, not flashed. */
  refused: [info: { chfId: string; port: string; runningVersion: string; error: { code: string; name: string; message: string } }];
  job: [info: { chfId: string; port: string; job: JobAssignment }];
  progress: [progress: SessionProgress];
  /** A final result, already in the outbox. */
  result: [result: FlashResult];
  /** The server acknowledged results: they left the outbox. */
  acknowledged: [count: number];
}

export interface DaemonDeps {
  logger: Logger;
  /** A W3C `USB` object for USB discovery (tests pass a simulated one). */
  usb?: USB;
  policy?: Partial<SessionPolicy>;
  /** Wait after a failed image download before trying again. */
  downloadRetryMs?: number;
  /** Longest wait for the server to acknowledge a hub's last result before asking for its job (default 30 s). */
  landedWaitMs?: number;
}

/**
 * The rig agent running unattended: finds hubs as they are plugged in, asks the server for each
 * hub's job, downloads and verifies the job's image, flashes, and reports every result through
 * the durable outbox. SIGTERM (stop) checkpoints every session; the next start resumes them.
 */
export class RigDaemon extends EventEmitter<DaemonEvents> {
  private readonly abort = new AbortController();
  /** Hubs being handled (by CHF ID), so a hub seen on two ports is handled once. */
  private readonly active = new Map<string, Promise<void>>();
  /** The job of each hub being flashed, for its progress reports. */
  private readonly jobsByHub = new Map<string, JobAssignment>();

  private constructor(
    private readonly config: AgentConfig,
    private readonly deps: DaemonDeps,
    private readonly outbox: ResultOutbox,
    private readonly journal: Journal,
    readonly link: ServerLink,
    private readonly rig: Rig,
    private readonly discovery: Discovery,
    private readonly jobs: JobClient,
    private readonly images: ImageCache,
    private readonly landed: LandedResultWait,
  ) {
    super();
  }

  static async start(config: AgentConfig, deps: DaemonDeps): Promise<RigDaemon> {
    const log = deps.logger;
    const outbox = await openOutbox(path.join(config.dataDir, 'outbox'));
    const journal = await Journal.open(path.join(config.dataDir, 'journal'));
    const link = new ServerLink({
      url: config.serverUrl,
      rigId: config.rigId,
      secret: config.secret,
      outbox,
      birth: new BirthCounter(config.dataDir),
      logger: log,
      heartbeatMs: config.heartbeatMs,
      resendMs: config.resendMs,
      slots: () => rig.slots,
      ...(config.ca ? { tls: { ca: config.ca } } : {}),
    });
    const controller = new AbortController();
    // Every session and every pending job request listens for the stop: many, by design.
    setMaxListeners(0, controller.signal);
    const rig = new Rig({ journal, concurrency: config.concurrency, logger: log, signal: controller.signal, ...(deps.policy ? { policy: deps.policy } : {}) });
    const parts: Discovery[] = [new SerialDiscovery({ paths: config.ports, filters: config.serialFilters, baudRate: config.baudRate, intervalMs: config.rescanMs, logger: log })];
    if (config.usbFilters.length > 0) parts.push(new UsbDiscovery({ filters: config.usbFilters, logger: log, ...(deps.usb ? { usb: deps.usb } : {}) }));
    const discovery = new MergedDiscovery(parts);
    const images = new ImageCache({ dir: path.join(config.dataDir, 'images'), baseUrl: config.httpUrl, username: config.rigId, password: config.secret, trustedKeys: config.trustedKeyPems, signal: controller.signal });
    const daemon = new RigDaemon(config, deps, outbox, journal, link, rig, discovery, new JobClient(link), images, new LandedResultWait(outbox, log, deps.landedWaitMs ?? 30_000));
    setMaxListeners(0, daemon.abort.signal);
    daemon.abort.signal.addEventListener('abort', () => controller.abort(), { once: true });
    daemon.wire();
    link.start();
    await discovery.start();
    rig.attach(discovery);
    log.info({ rigId: config.rigId, ports: config.ports.length, usb: config.usbFilters.length > 0, pending: outbox.size }, 'rig agent started');
    return daemon;
  }

  /** Results waiting for the server's acknowledgement. */
  get pendingResults(): number {
    return this.outbox.size;
  }

  /** Stops taking hubs, checkpoints every running session, says goodbye to the server. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.deps.logger.info({ sessions: this.active.size }, 'stopping: checkpointing every session');
    this.abort.abort();
    this.discovery.stop();
    await Promise.allSettled(this.active.values());
    await this.link.stop();
    await this.journal.close();
    await this.outbox.close();
    this.deps.logger.info({}, 'rig agent stopped');
  }

  private wire(): void {
    const throttle = new ProgressThrottle(500);
    this.rig.on('progress', (p) => {
      this.emit('progress', p);
      if (p.chfId && throttle.due(p.chfId, p.phase)) {
        const job = this.jobsByHub.get(p.chfId);
        this.link.sendProgress({
          chfId: p.chfId,
          slot: p.port,
          phase: p.phase,
          // Bytes the hub holds durably: what a control room wants to see move.
          bytesSent: p.committedOffset,
          bytesTotal: p.size,
          rateBytesPerSecond: p.rateBytesPerSecond,
          ...(job ? { jobId: job.jobId, targetVersion: job.target.version } : {}),
        });
      }
    });
    this.rig.on('hub-appeared', ({ port, hub }) => this.take(port, hub));
    this.rig.on('hub-waiting', (info) => this.deps.logger.warn(info, 'hub left its port mid-flash; waiting for it on any port'));
    this.rig.on('hub-resumed', (info) => this.deps.logger.info(info, 'hub is back; resuming its flash'));
    this.link.on('acknowledged', (n: number) => {
      this.landed.acknowledged();
      this.emit('acknowledged', n);
    });
  }

  private take(port: PortRef, hub: IdentifyReply): void {
    if (this.active.has(hub.chfId) || this.abort.signal.aborted) return;
    const run = this.handle(port, hub)
      .catch((err: unknown) => {
        if (isHubflashError(err, ErrorCode.DaemonStopped)) return;
        this.deps.logger.error({ chfId: hub.chfId, port: portName(port), err: isHubflashError(err) ? err.toJSON() : String(err) }, 'could not handle a hub');
      })
      .finally(() => this.active.delete(hub.chfId));
    this.active.set(hub.chfId, run);
  }

  private async handle(port: PortRef, hub: IdentifyReply): Promise<void> {
    const log = this.deps.logger;
    const name = portName(port);
    await this.landed.until(hub.chfId, this.abort.signal);
    const answer: JobMessage = await this.jobs.request(jobRequestHub(hub), this.abort.signal);
    if (answer.outcome === 'refused') {
      log.warn({ chfId: hub.chfId, port: name, error: answer.error }, 'the server refused a job for this hub: set it aside');
      this.emit('refused', { chfId: hub.chfId, port: name, runningVersion: formatFirmwareVersion(hub.runningVersion), error: answer.error });
      return;
    }
    const job = answer.job;
    this.emit('job', { chfId: hub.chfId, port: name, job });
    const image = await this.imageFor(job);
    this.jobsByHub.set(hub.chfId, job);
    const result = await this.rig.flash(port, image, hub.chfId).finally(() => this.jobsByHub.delete(hub.chfId));
    if (this.abort.signal.aborted && result.outcome === 'failed') {
      // Stopped mid-flash: the journal holds the checkpoint and the next start resumes it.
      log.info({ chfId: hub.chfId, phase: result.error?.name }, 'session checkpointed for the next start');
      return;
    }
    await this.link.sendResult(resultMessage(this.config.rigId, result, hub, job));
    this.emit('result', result);
    log.info({ chfId: hub.chfId, outcome: result.outcome, error: result.error?.code, resultId: result.resultId }, 'hub finished');
  }

  /** The job's image, downloaded and verified, retrying until it is or the rig stops. */
  private async imageFor(job: JobAssignment): ReturnType<ImageCache['get']> {
    for (;;) {
      try {
        return await this.images.get(job.target);
      } catch (err) {
        if (this.abort.signal.aborted) throw new HubflashError(ErrorCode.DaemonStopped, `stopped while downloading image ${job.target.hash.slice(0, 12)}…`, {});
        if (!isHubflashError(err)) throw err;
        if (err.code !== ErrorCode.ImageDownloadFailed && err.code !== ErrorCode.ImageDownloadMismatch) throw err;
        this.deps.logger.warn({ hash: job.target.hash, err: err.toJSON() }, 'image download failed; trying again');
        await delay(this.deps.downloadRetryMs ?? 5_000, this.abort.signal);
      }
    }
  }
}

async function openOutbox(location: string): Promise<ResultOutbox> {
  try {
    return await ResultOutbox.open(location);
  } catch (err) {
    throw new HubflashError(ErrorCode.OutboxUnavailable, `cannot open the outbox at ${location}: ${(err as Error).message}. Is another agent using this data folder?`, { location }, { cause: err });
  }
}
