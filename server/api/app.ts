import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import type { CredentialStore } from '../datadir/CredentialStore.ts';
import { authorize } from './auth.ts';
import { toApiError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { API_PREFIX, route, type RouteSpec } from './route.ts';

/** Content types passed to routes as the raw request stream (imports, image uploads). */
export const STREAM_TYPES = ['text/csv', 'application/x-ndjson', 'application/octet-stream'];

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw new HubflashError(ErrorCode.InvalidRequest, `Invalid ${what}: ${issues.join('; ')}`, { issues });
}

/**
 * The HTTP API: fastify, JSON, every route under /api/v1 from the route lists of the domains,
 * errors as `{ error: { code, name, message } }`, and the OpenAPI document built from the same
 * route specs.
 */
export async function buildApi(specs: readonly RouteSpec[], credentials: CredentialStore, log: Logger, version: string) {
  const app = Fastify({ loggerInstance: log.child({ part: 'http' }), logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  app.addContentTypeParser(STREAM_TYPES, (_request, payload, done) => done(null, payload));
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toApiError(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new HubflashError(ErrorCode.InvalidRequest, `No route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(404).send(toApiError(err).body);
  });

  const all = [...specs, openApiRoute(() => document)];
  const document = openApiDocument(all, version);
  for (const spec of all) {
    app.route({
      method: spec.method,
      url: API_PREFIX + spec.url,
      handler: async (request, reply) => {
        const caller = await authorize(request, spec.access, credentials);
        const params = parse(spec.params, request.params, 'path');
        const query = parse(spec.query, request.query, 'query');
        const body = spec.body instanceof z.ZodType ? parse(spec.body, request.body, 'body') : request.body;
        return spec.handler({ params, query, body, caller, request, reply });
      },
    });
  }
  return app;
}

function openApiRoute(document: () => object): RouteSpec {
  return route({
    method: 'GET',
    url: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['meta'],
    access: 'public',
    responses: { 200: z.object({ openapi: z.string() }).loose() },
    handler: async () => document(),
  });
}
