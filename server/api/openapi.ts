import { z } from 'zod';
import { API_PREFIX, type RouteSpec } from './route.ts';
import { errorBody } from './schemas.ts';

/** JSON Schema of a zod schema, with named schemas kept inline (small document, no $refs to chase). */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): object {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(spec: RouteSpec): object[] {
  const out: object[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, object>; required?: string[] };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document of every registered route, served at /api/v1/openapi.json. */
export function openApiDocument(specs: readonly RouteSpec[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of specs) {
    const path = API_PREFIX + spec.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, object> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] =
        r instanceof z.ZodType
          ? { description: 'OK', content: { 'application/json': { schema: schemaOf(r, 'output') } } }
          : { description: r.description, content: { [r.contentType]: { schema: { type: 'string', format: 'binary' } } } };
    }
    responses.default = { description: 'Error, with a stable code (docs/errors.md)', content: { 'application/json': { schema: schemaOf(errorBody, 'output') } } };
    const body = spec.body;
    const requestBody = !body
      ? undefined
      : body instanceof z.ZodType
        ? { required: true, content: { 'application/json': { schema: schemaOf(body, 'input') } } }
        : { required: true, description: body.description, content: Object.fromEntries(body.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
    (paths[path] ??= {})[spec.method.toLowerCase()] = {
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.access === 'public' ? { security: [] } : { description: `Needs: ${spec.access === 'rig-or-viewer' ? 'a viewer token, or a rig (HTTP Basic, rig ID and secret)' : `a token with role ${spec.access} or higher`}.` }),
      parameters: parametersOf(spec),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'hubflash server API', version },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, rigBasic: { type: 'http', scheme: 'basic' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
