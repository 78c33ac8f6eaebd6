// Per-caller rate limit (@fastify/rate-limit): keyed by the authenticated caller (plugins/
// authenticate.ts sets request.actor before the limiter runs), else the client IP, so that a
// caller cannot escape its limit by changing address and callers behind one NAT do not share one.
// Failed authentications count against the IP. Over the limit: 429 problem+json with Retry-After.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/audit.js';
import { SnapshotLocalStore } from './rate-limit-store.js';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
}

/** Probes are never limited: an orchestrator must see the process even while a caller floods it. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

export function rateLimitKey(request: FastifyRequest): string {
  const actor = (request as FastifyRequest & { actor?: Actor | null }).actor;
  return actor ? `${actor.kind}:${actor.id}` : `ip:${request.ip}`;
}

/** Registered on the root before any route: the limiter adds its hook to each route as it is declared. */
export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    // Always ours: the Lambda bundle stubs the IPv6 parser the library's default needs
    // (scripts/lambda-stubs/ip-address.cjs).
    keyGenerator: rateLimitKey,
    // The library's own in-memory store miscounts requests that arrive together (rate-limit-store.ts).
    store: SnapshotLocalStore,
    allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? ''),
    // Thrown, so the problem-details handler turns it into problem+json (Retry-After is already set).
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Rate limit exceeded: at most ${context.max} requests per ${context.after} for this caller.`), {
        statusCode: context.statusCode,
        code: 'rate-limited',
      }),
  });
}
