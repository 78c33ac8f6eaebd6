// Idempotency-Key on every /v1 mutation (IETF httpapi draft "The Idempotency-Key HTTP Header
// Field"). Installed on the root after authentication, so that `request.actor` is known when the
// key is claimed and an unauthenticated request never reaches the table:
//   preHandler  claim the key (the caller's own), or replay the kept response, or refuse
//               (409 while the first request runs, 422 when the key named another request);
//   onSend      keep the response with the key, or release the key when the response is worth
//               retrying (5xx, 429, 409); it sees thrown errors too, once they are problem+json;
//   onResponse  release a claim that never reached onSend.
// The OpenAPI document gets the header and the 409/422 problems from the onRoute hook here, so the
// route files need not repeat them. Bodies are never logged.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Actor } from '../domain/audit.js';
import { DomainError, validationError } from '../domain/errors.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyProblem,
  requestFingerprint,
} from '../domain/idempotency.js';
import { problemResponse } from '../schemas/common.js';
import type { IdempotencyService } from '../services/idempotency-service.js';
import type { IdempotencyClaimRef, StoredResponse } from '../services/ports.js';
import { isGuardedUrl } from './authenticate.js';

export interface IdempotencyOptions {
  idempotency: IdempotencyService;
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Response headers a replay repeats besides the content type: the resource's tag and location. */
const REPLAYED_HEADERS = ['etag', 'location'] as const;

/** The header as a schema: Ajv checks it (a 400 naming /headers/idempotency-key), OpenAPI shows it. */
const KEY_HEADER_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: IDEMPOTENCY_KEY_MAX_LENGTH,
  pattern: IDEMPOTENCY_KEY_PATTERN,
  description:
    'Makes a retry of this request safe (IETF draft "The Idempotency-Key HTTP Header Field"): 1-255 printable ASCII characters, unique per change (e.g. a UUID), scoped to the caller. A repeat with the same key and request gets the first response again (`Idempotent-Replayed: true`) without running twice; the same key with another request is a 422; a repeat while the first still runs is a 409.',
} as const;

const REPLAYED_HEADER_DOC = {
  'Idempotent-Replayed': { type: 'string', enum: ['true'], description: 'Present when this is the kept response of an earlier request with the same Idempotency-Key.' },
} as const;
const RETRY_AFTER_DOC = { 'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying.' } } as const;

/** The claim each request holds, between preHandler and onSend. */
const claims = new WeakMap<FastifyRequest, IdempotencyClaimRef>();

export function installIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  const { idempotency } = options;
  let sweeping: Promise<unknown> | undefined;

  /** Expired keys are deleted at start-up and now and then after a claim, never in a request's way. */
  function sweep(request: { log: FastifyInstance['log'] }, run: () => Promise<number | undefined>): void {
    if (sweeping) return;
    sweeping = run()
      .then((deleted) => {
        if (deleted) request.log.debug({ deleted }, 'expired idempotency keys deleted');
      })
      .catch((error: unknown) => request.log.warn({ err: error }, 'could not delete expired idempotency keys'))
      .finally(() => {
        sweeping = undefined;
      });
  }

  app.addHook('onReady', async () => {
    sweep(app, () => idempotency.sweepExpired());
  });
  app.addHook('onClose', async () => {
    await sweeping;
  });

  const claimOrReplay = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return;
    // Also checked by the header schema; kept here for a route whose headers schema could not take it.
    const key = Array.isArray(header) ? header.join(', ') : header;
    const problem = idempotencyKeyProblem(key);
    if (problem) throw validationError([{ path: `/headers/${IDEMPOTENCY_KEY_HEADER}`, message: problem }]);
    const actor = (request as FastifyRequest & { actor?: Actor | null }).actor;
    // Authentication runs first on every /v1 route; without an actor there is no caller to scope to.
    if (!actor) return;

    const fingerprint = requestFingerprint({ method: request.method, url: request.url, body: request.body });
    const begun = await idempotency.begin({ caller: `${actor.kind}:${actor.id}`, key, fingerprint });
    switch (begun.outcome) {
      case 'claimed':
        claims.set(request, begun.claim);
        sweep(request, () => idempotency.sweepIfDue());
        return;
      case 'replay':
        request.log.info({ idempotencyKey: key, status: begun.response.status }, 'idempotent replay');
        return replay(reply, begun.response);
      case 'in-progress':
        throw new DomainError('conflict', `a request with this Idempotency-Key is still being processed; retry later`, {
          retryAfterSeconds: 1,
        });
      case 'mismatch':
        throw new DomainError(
          'idempotency-key-reused',
          'this Idempotency-Key was already used for a different request (method, path, query or body); use a new key for a new request',
        );
    }
  };

  const keepOrRelease = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const response = storedResponseOf(reply, payload);
    try {
      if (response === undefined) {
        request.log.warn({ idempotencyKey: claim.key }, 'response cannot be kept for replay (not text); idempotency key released');
        await idempotency.abandon(claim);
        return payload;
      }
      const outcome = await idempotency.finish(claim, response);
      if (outcome === 'lost') request.log.warn({ idempotencyKey: claim.key }, 'idempotency claim was taken over before the response was kept');
    } catch (error) {
      // The change already happened: answer it. The claim stays in progress until taken over.
      request.log.error({ err: error, idempotencyKey: claim.key }, 'could not keep the idempotent response');
    }
    return payload;
  };

  const releaseUnsent = async (request: FastifyRequest) => {
    const claim = claims.get(request);
    if (!claim) return;
    claims.delete(request);
    await idempotency.abandon(claim).catch((error: unknown) => request.log.error({ err: error }, 'could not release the idempotency key'));
  };

  app.addHook('onRoute', (route) => {
    if (!isGuardedUrl(route.url) || ![route.method].flat().some((method) => MUTATIONS.has(method))) return;
    route.preHandler = [...[route.preHandler ?? []].flat(), claimOrReplay];
    route.onSend = [...[route.onSend ?? []].flat(), keepOrRelease];
    route.onResponse = [...[route.onResponse ?? []].flat(), releaseUnsent];
    documentRoute(route);
  });
}

function replay(reply: FastifyReply, response: StoredResponse): FastifyReply {
  reply.code(response.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  if (response.contentType !== undefined) reply.header('content-type', response.contentType);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  // A string is sent as it is (no serializer), so the replay is byte for byte the first response.
  return reply.send(response.body);
}

/** What onSend is about to send, as a StoredResponse; undefined for a stream (never sent here). */
function storedResponseOf(reply: FastifyReply, payload: unknown): StoredResponse | undefined {
  let body: string;
  if (typeof payload === 'string') body = payload;
  else if (payload === undefined || payload === null) body = '';
  else if (Buffer.isBuffer(payload)) body = payload.toString('utf8');
  else return undefined;
  const contentType = reply.getHeader('content-type');
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return {
    status: reply.statusCode,
    ...(contentType === undefined ? {} : { contentType: String(contentType) }),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    body,
  };
}

/** The header parameter and the 409/422 problems, in the route's schema (so in the OpenAPI document). */
function documentRoute(route: RouteOptions): void {
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  const headers = schema['headers'] as { type?: unknown; properties?: Record<string, unknown> } | undefined;
  if (headers === undefined) {
    schema['headers'] = { type: 'object', properties: { [IDEMPOTENCY_KEY_HEADER]: KEY_HEADER_SCHEMA } };
  } else if (headers.type === 'object' && headers.properties !== undefined) {
    schema['headers'] = { ...headers, properties: { ...headers.properties, [IDEMPOTENCY_KEY_HEADER]: KEY_HEADER_SCHEMA } };
  }
  // (A headers schema of another shape, e.g. a $ref, is left alone: the preHandler still checks the key.)
  type Documented = { description?: string; headers?: Record<string, unknown> };
  const responses = (schema['response'] ?? {}) as Record<string, Documented>;
  const inProgress = 'a request with the same Idempotency-Key is still being processed: retry after `Retry-After` seconds.';
  const conflict: Documented = responses[409] ?? problemResponse(`Conflict: ${inProgress}`);
  const documented: Record<string, Documented> = {};
  for (const [status, response] of Object.entries(responses)) {
    // A replay is the first response again, marked as one.
    documented[status] = status.startsWith('2') ? { ...response, headers: { ...response.headers, ...REPLAYED_HEADER_DOC } } : response;
  }
  schema['response'] = {
    ...documented,
    409: {
      ...conflict,
      ...(responses[409] ? { description: `${conflict.description ?? 'Conflict.'} Or: ${inProgress}` } : {}),
      headers: { ...conflict.headers, ...RETRY_AFTER_DOC },
    },
    422: problemResponse('The Idempotency-Key was already used by this caller for a different request (method, path, query or body).'),
  };
}
