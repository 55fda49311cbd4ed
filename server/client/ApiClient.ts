import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ErrorCode, HubflashError } from '../../protocol/errors/index.ts';
import { API_PREFIX } from '../api/route.ts';

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  server: string;
  token?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * The operator's side of the HTTP API (what the CLI uses): JSON in and out, errors turned back
 * into HubflashErrors with the server's code, files streamed rather than read into memory.
 */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, query: Query = {}, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body === undefined ? undefined : { body: JSON.stringify(body), contentType: 'application/json' });
  }

  /** POSTs a file as the request body, streamed. */
  upload<T>(path: string, file: string, contentType: string, query: Query = {}): Promise<T> {
    statSync(file); // a clear error for a missing file, before connecting
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream;
    return this.request<T>('POST', path, query, { body, contentType });
  }

  /** GET returning the raw response (downloads), failing like the JSON calls on error. */
  async fetchRaw(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.send('GET', path, {}, undefined, headers);
    if (res.status >= 400) throw this.explained(await errorFrom(res));
    return res;
  }

  private async request<T>(method: string, path: string, query: Query, body?: { body: string | ReadableStream; contentType: string }): Promise<T> {
    const res = await this.send(method, path, query, body);
    if (res.status >= 400) throw this.explained(await errorFrom(res));
    return (await res.json()) as T;
  }

  /** A refusal for want of a token, when none was given, says how an operator gives one. */
  private explained(err: HubflashError): HubflashError {
    if (err.code !== ErrorCode.Unauthenticated || this.options.token) return err;
    return new HubflashError(ErrorCode.Unauthenticated, `${err.message.replace(/ \(HF\d{4}\)$/, '')}. No token was given: pass --token or set HUBFLASH_TOKEN (\`hubflash server token create\` makes one)`, err.context, { cause: err });
  }

  private async send(method: string, path: string, query: Query, body?: { body: string | ReadableStream; contentType: string }, headers: Record<string, string> = {}): Promise<Response> {
    const url = new URL(API_PREFIX + path, this.options.server);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    try {
      return await fetch(url, {
        method,
        headers: {
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          ...(body ? { 'content-type': body.contentType } : {}),
          ...headers,
        },
        ...(body ? { body: body.body, duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new HubflashError(ErrorCode.ServerUnreachable, `Cannot reach the hubflash server at ${this.options.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { server: this.options.server }, { cause: err });
    }
  }
}

/** The server's `{ error: { code: 'HF0606', … } }` as the same HubflashError. */
async function errorFrom(res: Response): Promise<HubflashError> {
  let body: { error?: { code?: string; message?: string; context?: Record<string, unknown> } } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: keep the status only
  }
  const code = Number(/^HF(\d{4})$/.exec(body.error?.code ?? '')?.[1]);
  const known = Number.isInteger(code) && ErrorCode[code] !== undefined;
  const message = (body.error?.message ?? `HTTP ${res.status}`).replace(/ \(HF\d{4}\)$/, '');
  return new HubflashError(known ? (code as ErrorCode) : ErrorCode.ServerInternal, message, { status: res.status, ...(body.error?.context ?? {}) });
}
