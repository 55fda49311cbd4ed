import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isHubflashError } from '../../protocol/errors/index.ts';
import {
  decodeAck,
  decodeJob,
  encodeHeartbeat,
  encodeJobRequest,
  encodeProgress,
  encodeResult,
  encodeStatus,
  parseRigTopic,
  rigCommandFilter,
  rigTopic,
  type JobRequestMessageInput,
  type ProgressMessageInput,
  type ResultMessageInput,
} from '../../protocol/mqtt/index.ts';
import type { BirthCounter } from './birthCounter.ts';
import type { ResultOutbox } from './outbox.ts';

export interface ServerLinkOptions {
  url: string;
  rigId: string;
  secret: string;
  outbox: ResultOutbox;
  birth: BirthCounter;
  logger: Logger;
  heartbeatMs?: number;
  /** Re-send a result not acknowledged after this long. */
  resendMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  agentVersion?: string;
  slots?: () => { total: number; busy: number };
  /** Extra TLS options, e.g. the server's CA certificate. */
  tls?: Pick<IClientOptions, 'ca' | 'rejectUnauthorized'>;
}

/**
 * The rig's connection to the server's broker: presence (retained status with a last will and a
 * birth/death sequence number, heartbeats), live progress (QoS 0), and results from the durable
 * outbox (QoS 1), re-sent until the server's application acknowledgement names them.
 * Reconnects on its own with exponential backoff.
 */
export class ServerLink extends EventEmitter {
  private client: MqttClient | undefined;
  private seq = 0;
  private heartbeatSeq = 0;
  private readonly startedAt = Date.now();
  /** When each waiting result was last published on this connection. */
  private readonly lastSent = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private backoffMs: number;
  private flushing = false;

  constructor(private readonly options: ServerLinkOptions) {
    super();
    this.backoffMs = options.reconnectMinMs ?? 500;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const o = this.options;
    this.seq = o.birth.next();
    const client = mqtt.connect(o.url, {
      clientId: o.rigId,
      username: o.rigId,
      password: o.secret,
      keepalive: 15,
      clean: true,
      connectTimeout: 10_000,
      reconnectPeriod: this.backoffMs,
      will: this.will(),
      ...o.tls,
    });
    this.client = client;
    client.on('connect', () => void this.onConnect());
    client.on('close', () => this.onClose());
    client.on('message', (topic, payload) => void this.onMessage(topic, payload));
    client.on('error', (err) => o.logger.warn({ err: err.message }, 'broker connection error'));
  }

  /** Stores the result durably, then publishes it if the broker is reachable. */
  async sendResult(result: ResultMessageInput): Promise<void> {
    await this.options.outbox.add(result);
    if (this.connected) this.publishResult(result);
  }

  /** Asks the server for a hub's job (QoS 1). False while disconnected: ask again on 'connected'. */
  sendJobRequest(request: Omit<JobRequestMessageInput, 'v' | 'rigId' | 'at'>): boolean {
    if (!this.connected) return false;
    const payload = encodeJobRequest({ v: 1, rigId: this.options.rigId, at: new Date().toISOString(), ...request });
    this.client!.publish(rigTopic(this.options.rigId, 'job-request'), payload, { qos: 1 });
    return true;
  }

  /** Live progress: best effort, dropped while disconnected. */
  sendProgress(progress: Omit<ProgressMessageInput, 'v' | 'rigId' | 'at'>): void {
    if (!this.connected) return;
    const payload = encodeProgress({ v: 1, rigId: this.options.rigId, at: new Date().toISOString(), ...progress });
    this.client!.publish(rigTopic(this.options.rigId, 'progress'), payload, { qos: 0 });
  }

  /** Says goodbye (an explicit offline status) and disconnects. */
  async stop(): Promise<void> {
    this.stopTimers();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      await client.publishAsync(rigTopic(this.options.rigId, 'status'), this.statusPayload('offline'), { qos: 1, retain: true }).catch(() => {});
    }
    await client.endAsync();
  }

  private will(): IClientOptions['will'] {
    return { topic: rigTopic(this.options.rigId, 'status'), payload: this.statusPayload('offline'), qos: 1, retain: true };
  }

  private statusPayload(state: 'online' | 'offline'): Buffer {
    const o = this.options;
    return encodeStatus({ v: 1, rigId: o.rigId, state, seq: this.seq, at: new Date().toISOString(), agentVersion: o.agentVersion, slots: o.slots?.().total });
  }

  private async onConnect(): Promise<void> {
    const o = this.options;
    this.backoffMs = o.reconnectMinMs ?? 500;
    this.client!.options.reconnectPeriod = this.backoffMs;
    o.logger.info({ seq: this.seq, pending: o.outbox.size }, 'connected to the server');
    this.client!.subscribe(rigCommandFilter(o.rigId), { qos: 1 });
    this.client!.publish(rigTopic(o.rigId, 'status'), this.statusPayload('online'), { qos: 1, retain: true });
    this.stopTimers();
    const heartbeatMs = o.heartbeatMs ?? 10_000;
    const resendMs = o.resendMs ?? 30_000;
    this.timers = [
      setInterval(() => this.heartbeat(), heartbeatMs),
      setInterval(() => void this.flush(resendMs), Math.max(250, resendMs / 2)),
    ];
    this.heartbeat();
    this.emit('connected');
    await this.flush(0);
  }

  private onClose(): void {
    const client = this.client;
    if (!client) return; // stopped
    const wasConnected = this.timers.length > 0;
    this.stopTimers();
    this.lastSent.clear();
    // The next connection is a new birth: its will must carry the new number.
    this.seq = this.options.birth.next();
    client.options.will = this.will();
    this.backoffMs = Math.min(this.options.reconnectMaxMs ?? 30_000, this.backoffMs * 2);
    client.options.reconnectPeriod = this.backoffMs;
    if (wasConnected) {
      this.options.logger.warn({ pending: this.options.outbox.size }, 'lost the server; results wait in the outbox');
      this.emit('disconnected');
    }
  }

  private heartbeat(): void {
    const o = this.options;
    if (!this.connected) return;
    const payload = encodeHeartbeat({
      v: 1,
      rigId: o.rigId,
      seq: this.heartbeatSeq++,
      at: new Date().toISOString(),
      uptimeMs: Date.now() - this.startedAt,
      slots: o.slots?.(),
      outboxPending: o.outbox.size,
    });
    this.client!.publish(rigTopic(o.rigId, 'heartbeat'), payload, { qos: 0 });
  }

  /** Publishes every waiting result not sent within `olderThanMs`. */
  private async flush(olderThanMs: number): Promise<void> {
    if (this.flushing || !this.connected) return;
    this.flushing = true;
    try {
      const now = Date.now();
      for (const result of await this.options.outbox.pending()) {
        const sent = this.lastSent.get(result.resultId);
        if (sent !== undefined && now - sent < olderThanMs) continue;
        if (!this.connected) return;
        this.publishResult(result);
      }
    } finally {
      this.flushing = false;
    }
  }

  private publishResult(result: ResultMessageInput): void {
    this.lastSent.set(result.resultId, Date.now());
    let payload: Buffer;
    try {
      payload = encodeResult(result);
    } catch (err) {
      // Thrown from a flush on a timer this would end the agent, and hold up every later result.
      const detail = isHubflashError(err) ? err.toJSON() : String(err);
      this.options.logger.error({ resultId: result.resultId, err: detail }, 'a result in the outbox is not a valid message: it stays there unsent');
      return;
    }
    this.client!.publish(rigTopic(this.options.rigId, 'results'), payload, { qos: 1 });
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseRigTopic(topic);
    if (parsed?.direction !== 'command' || parsed.rigId !== this.options.rigId) return;
    try {
      if (parsed.kind === 'ack') {
        const ack = decodeAck(payload);
        const ids = [...ack.resultIds, ...(ack.refused ?? []).map((r) => r.resultId)];
        for (const refused of ack.refused ?? []) {
          this.options.logger.error({ resultId: refused.resultId, error: refused.error }, 'the server stored but refused a result');
        }
        const removed = await this.options.outbox.acknowledge(ids);
        for (const id of ids) this.lastSent.delete(id);
        this.emit('acknowledged', removed, ids);
        return;
      }
      if (parsed.kind === 'job') {
        this.emit('job', decodeJob(payload));
        return;
      }
    } catch (err) {
      const detail = isHubflashError(err) ? err.toJSON() : String(err);
      this.options.logger.warn({ topic, err: detail }, 'ignored an invalid message from the server');
    }
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
