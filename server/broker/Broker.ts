import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { ServerConfig } from '../config/config.ts';
import type { CredentialStore } from '../datadir/CredentialStore.ts';
import { canPublish, canSubscribe, parseTopic, type Identity } from './acl.ts';
import { authenticateConnection } from './authenticate.ts';

export interface BrokerEvents {
  /** A message on a rig → server topic from the rig itself (already authorised). */
  rigMessage(rigId: string, kind: string, payload: Buffer): void;
  rigConnected(rigId: string): void;
  rigDisconnected(rigId: string): void;
  /** A connection or a publish/subscribe was refused. */
  refused(what: 'connect' | 'publish' | 'subscribe', who: string, reason: string): void;
}

export interface BrokerAddresses {
  mqtt: number;
  mqtts?: number;
  ws?: number;
}

/**
 * The embedded MQTT broker (aedes) with hubflash's authentication and access rules, on TCP and
 * optionally TLS and WebSocket. It only routes; what messages mean is the ingest's business.
 */
export class Broker {
  readonly aedes: Aedes;
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly wills = new WeakMap<Client, string>();
  private readonly servers: Array<NetServer | HttpServer> = [];
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly config: ServerConfig['mqtt'],
    private readonly credentials: CredentialStore,
    private readonly events: BrokerEvents,
    private readonly log: Logger,
  ) {
    this.aedes = new Aedes({
      drainTimeout: config.drainTimeoutMs,
      maxTopicLevels: config.maxTopicLevels,
      maxInflightInbound: config.maxInflightInbound,
      concurrency: config.concurrency,
      queueLimit: config.queueLimit,
      connectTimeout: config.connectTimeoutMs,
      keepaliveLimit: config.keepaliveLimitS,
      maxClientsIdLength: 80,
      preConnect: (client, packet, done) => {
        if (packet.will) this.wills.set(client, packet.will.topic);
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        authenticateConnection(this.credentials, client, username, password, this.wills.get(client)).then(
          (outcome) => {
            if (outcome.ok) {
              this.identities.set(client, outcome.identity);
              return done(null, true);
            }
            this.events.refused('connect', username ?? '(anonymous)', outcome.reason);
            const err = new Error(outcome.reason) as AuthenticateError;
            err.returnCode = outcome.returnCode;
            done(err, false);
          },
          (err: unknown) => {
            this.log.error({ err }, 'MQTT authentication failed');
            const e = new Error('server unavailable') as AuthenticateError;
            e.returnCode = 3;
            done(e, false);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        const who = client ? this.identities.get(client) : undefined;
        const verdict = who ? canPublish(who, packet.topic, packet.retain) : { ok: false as const, reason: 'no identity' };
        if (verdict.ok) return done(null);
        this.events.refused('publish', describe(who), verdict.reason);
        done(new Error(verdict.reason)); // aedes drops the message and closes the connection
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = this.identities.get(client);
        const verdict = who ? canSubscribe(who, sub.topic) : { ok: false as const, reason: 'no identity' };
        if (verdict.ok) return done(null, sub);
        this.events.refused('subscribe', describe(who), verdict.reason);
        done(null, null); // SUBACK 128 for this filter; the connection stays
      },
      published: (packet, client, done) => {
        this.route(packet, client);
        done(null);
      },
    });
    this.aedes.on('clientReady', (client) => {
      const who = this.identities.get(client);
      if (who?.kind === 'rig') this.events.rigConnected(who.rigId);
    });
    this.aedes.on('clientDisconnect', (client) => {
      const who = this.identities.get(client);
      if (who?.kind === 'rig') this.events.rigDisconnected(who.rigId);
    });
    this.aedes.on('clientError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'MQTT client error'));
  }

  private route(packet: AedesPublishPacket, client: Client | null): void {
    if (!client) return; // the broker's own messages ($SYS, our acks)
    const who = this.identities.get(client);
    const topic = parseTopic(packet.topic);
    if (who?.kind !== 'rig' || !topic || topic.direction !== 'rig' || topic.rigId !== who.rigId) return;
    this.events.rigMessage(who.rigId, topic.kind, packet.payload as Buffer);
  }

  async listen(host: string): Promise<BrokerAddresses> {
    await this.aedes.listen();
    const addresses: BrokerAddresses = { mqtt: await this.serve(createNetServer(this.aedes.handle), host, this.config.port, 'MQTT') };
    const tls = this.config.tls;
    if (tls) {
      const server = createTlsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key), ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}) }, this.aedes.handle);
      addresses.mqtts = await this.serve(server, tls.host ?? host, tls.port, 'MQTT over TLS');
    }
    const ws = this.config.websocket;
    if (ws) {
      const http = createHttpServer();
      const wss = new WebSocketServer({ server: http, path: ws.path });
      wss.on('connection', (socket, req) => this.aedes.handle(createWebSocketStream(socket), req));
      addresses.ws = await this.serve(http, ws.host ?? host, ws.port, 'MQTT over WebSocket');
    }
    return addresses;
  }

  private serve(server: NetServer | HttpServer, host: string, port: number, what: string): Promise<number> {
    this.servers.push(server);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', (err) =>
        reject(new HubflashError(ErrorCode.ServerListenFailed, `Cannot listen for ${what} on ${host}:${port}: ${err.message}`, { host, port }, { cause: err })),
      );
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Publishes on behalf of the server (bypassing the access rules); once closed, there is nobody to deliver to. */
  publish(topic: string, payload: Buffer, qos: 0 | 1 = 1): Promise<void> {
    if (this.aedes.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function describe(who: Identity | undefined): string {
  if (!who) return '(unknown)';
  return who.kind === 'rig' ? `rig:${who.rigId}` : `token:${who.tokenId}:${who.name}`;
}
