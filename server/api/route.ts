import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Role } from '../config/config.ts';

/** Who may call a route: anyone, a token of at least this role, or also a rig (image downloads). */
export type Access = 'public' | Role | 'rig-or-viewer';

/** The authenticated caller, for audit entries and history: `actor` names them. */
export interface Caller {
  actor: string;
  role?: Role;
  rigId?: string;
}

/** A body the route reads as a stream itself (uploads, imports), with its content types. */
export interface StreamBody {
  contentTypes: string[];
  description: string;
}

/** A non-JSON response (e.g. image bytes), for the OpenAPI document. */
export interface RawResponse {
  description: string;
  contentType: string;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One HTTP API operation: its path under /api/v1, who may call it, its inputs (validated with
 * zod) and its responses (documented in the OpenAPI document). Each domain contributes a list.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify syntax, e.g. `/devices/:chfId`. */
  url: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B> | StreamBody;
  responses: Record<number, z.ZodType | RawResponse>;
  /** Returns the JSON body, or the reply itself when it sent something else. */
  handler(input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** Keeps the types of one route's inputs together while allowing lists of different routes. */
export function route<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export const API_PREFIX = '/api/v1';
