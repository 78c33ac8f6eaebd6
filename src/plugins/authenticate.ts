// Who is calling, and may they (DESIGN §6, STYLE §2.2). Every route under /v1 is guarded; the
// others (/healthz, /readyz, /docs and its assets, /openapi.json, /metrics) are open.
//
// Credentials, in this order:
//   Lambda mode  the caller API Gateway authenticated (IAM principal, or a JWT authorizer's claims),
//                granted scopes by GATEWIRE_IAM_PRINCIPALS / the token's scope claim
//   x-api-key: <key>  or  Authorization: Bearer <key>    a key whose SHA-256 is in GATEWIRE_API_KEYS
//   Authorization: Bearer <JWT>                          verified against GATEWIRE_JWT_JWKS_URL
//
// Two steps, so that the rate limiter (a route-level onRequest hook, plugins/rate-limit.ts) keys on
// the caller and also counts failed attempts: `identify` (root onRequest) sets `request.actor` and
// never throws; `guard` (appended to each guarded route's onRequest, after the limiter) answers
// 401 or 403. A route declares its scope as `config: { scope }`; without one, GET needs `read` and
// anything else `write`, so a route added without a declaration is never open.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import {
  claimValues,
  includesScope,
  matchApiKey,
  matchPrincipal,
  scopesFromClaim,
  type AuthConfig,
  type Grant,
  type Scope,
  type TrustedApi,
} from '../auth/credentials.js';
import { createJwtVerifier, JwtRejected } from '../auth/jwt.js';
import type { Actor } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import { problemResponse } from '../schemas/common.js';
import { actorFromEvent, type ProxyEventIdentity } from './lambda-actor.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a /v1 route needs (plugins/authenticate.ts); default: GET `read`, others `write`. */
    scope?: Scope;
    /** The route is about the caller's own things (its changes): a key limited to some APIs may call it. */
    callersOwn?: boolean;
  }
}

export interface AuthenticateOptions {
  auth: AuthConfig;
  runtime: 'server' | 'lambda';
  /** Tests: a key set instead of fetching GATEWIRE_JWT_JWKS_URL. */
  jwtKeys?: JWTVerifyGetKey;
}

/** The security schemes of the OpenAPI document (plugins/openapi.ts), named in each guarded operation. */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'An API key (GATEWIRE_API_KEYS, or the key printed at first run).',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key, or a JWT from the configured issuer (scopes in its scope claim).',
  },
} as const;

const GUARDED_PREFIX = '/v1/';
const MAX_CREDENTIAL_LENGTH = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The result of `identify` for the request: a grant, or why there is none. */
const identities = new WeakMap<FastifyRequest, Grant | DomainError>();

type LambdaRequest = FastifyRequest & { actor: Actor | null; awsLambda?: { event?: LambdaEventIdentity } };

/** The claims and scopes an HTTP API (v2) JWT authorizer or a REST API Cognito authorizer passes on. */
type LambdaEventIdentity = ProxyEventIdentity & {
  requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> | null; scopes?: unknown } | null } | null } | null;
};

/** The event's `requestContext.accountId` and `apiId` name a trusted API. */
function isTrustedApi(trusted: readonly TrustedApi[], context: unknown): boolean {
  const { accountId, apiId } = (context ?? {}) as { accountId?: unknown; apiId?: unknown };
  return trusted.some((api) => api.accountId === accountId && api.apiId === apiId);
}

/**
 * The token's audience includes `audience`. An HTTP API JWT authorizer passes claims as strings,
 * an array as `[a b]`; a REST API Cognito authorizer passes an ID token's `aud`, or an access
 * token's `client_id` (which has no `aud`).
 */
function audienceIncludes(claims: Record<string, unknown>, audience: string): boolean {
  const aud = claims['aud'] ?? claims['client_id'];
  if (Array.isArray(aud)) return aud.includes(audience);
  if (typeof aud !== 'string') return false;
  if (aud === audience) return true;
  const listed = /^\[(.*)\]$/.exec(aud);
  return listed !== null && listed[1]!.split(/\s+/).includes(audience);
}

function unauthenticated(detail: string): DomainError {
  return new DomainError('unauthenticated', detail);
}

function forbidden(detail: string): DomainError {
  return new DomainError('forbidden', detail);
}

export function requiredScopeOf(route: Pick<RouteOptions, 'method' | 'config'>): Scope {
  const declared = (route.config as { scope?: Scope } | undefined)?.scope;
  if (declared) return declared;
  const methods = [route.method].flat();
  return methods.every((method) => method === 'GET' || method === 'HEAD') ? 'read' : 'write';
}

/** The verified caller of a /v1 request (after the guard ran), for routes whose answer depends on who asks. */
export function grantOf(request: FastifyRequest): Grant | undefined {
  const identity = identities.get(request);
  return identity instanceof DomainError ? undefined : identity;
}

export function isGuardedUrl(url: string): boolean {
  return url.startsWith(GUARDED_PREFIX);
}

/**
 * Installed on the root instance before any route (buildApp): the request decorator, the identify
 * hook, and the onRoute hook that guards each /v1 route and documents it.
 */
export function installAuthentication(app: FastifyInstance, options: AuthenticateOptions): void {
  const { auth } = options;
  const verifyJwt = auth.jwt ? createJwtVerifier(auth.jwt, options.jwtKeys) : undefined;
  if (!app.hasRequestDecorator('actor')) app.decorateRequest('actor', null);

  async function fromHeaders(request: FastifyRequest): Promise<Grant> {
    const apiKeyHeader = request.headers['x-api-key'];
    const authorization = request.headers.authorization;
    if (apiKeyHeader !== undefined && authorization !== undefined) {
      throw unauthenticated('send one credential: either x-api-key or Authorization, not both');
    }
    let credential: string;
    if (apiKeyHeader !== undefined) {
      credential = String(apiKeyHeader).trim();
    } else if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) throw unauthenticated('the Authorization header must be "Bearer <API key or JWT>"');
      credential = match[1]!;
    } else {
      throw unauthenticated('credentials are required: send an API key (x-api-key or Authorization: Bearer) or a JWT');
    }
    if (credential === '' || credential.length > MAX_CREDENTIAL_LENGTH) throw unauthenticated('the credential is not valid');
    if (JWT_SHAPE.test(credential)) {
      if (!verifyJwt) throw unauthenticated('JWTs are not accepted here (no JWKS is configured); use an API key');
      try {
        return await verifyJwt(credential);
      } catch (error) {
        if (error instanceof JwtRejected) throw unauthenticated(`the JWT is not accepted: ${error.message}`);
        throw error;
      }
    }
    const entry = matchApiKey(auth.apiKeys, credential);
    if (!entry) throw unauthenticated('the API key is not valid');
    return { actor: { id: entry.name, kind: 'api-key' }, scopes: entry.scopes, apiIds: entry.apiIds };
  }

  /** Lambda mode: the caller API Gateway verified, if any (headers can never forge it). */
  function fromEvent(request: LambdaRequest): Grant | undefined {
    const event = request.awsLambda?.event;
    // Only an API configured in GATEWIRE_LAMBDA_TRUSTED_APIS vouches for its callers: another API
    // (or another account) allowed to invoke the function could put any identity in its events.
    if (!isTrustedApi(auth.trustedApis, event?.requestContext)) return undefined;
    const actor = actorFromEvent(event);
    if (!actor) return undefined;
    if (actor.kind === 'iam') {
      const entry = matchPrincipal(auth.iamPrincipals, actor.id);
      return { actor, scopes: entry?.scopes ?? [], apiIds: entry?.apiIds };
    }
    const authorizer = event?.requestContext?.authorizer;
    const claims = authorizer?.jwt?.claims ?? authorizer?.claims ?? {};
    const gateway = auth.gatewayJwt;
    if (!gateway || claims['iss'] !== gateway.issuer) {
      throw unauthenticated("the API Gateway authorizer's token is not from the configured issuer (GATEWIRE_JWT_ISSUER)");
    }
    if (!audienceIncludes(claims, gateway.audience)) {
      throw unauthenticated("the API Gateway authorizer's token is not for this service (GATEWIRE_JWT_AUDIENCE)");
    }
    const scopes = [
      ...scopesFromClaim(authorizer?.jwt?.scopes, gateway.scopePrefix),
      ...scopesFromClaim(claims[gateway.scopeClaim], gateway.scopePrefix),
    ];
    const tokenScopes = [...claimValues(authorizer?.jwt?.scopes), ...claimValues(claims[gateway.scopeClaim])];
    return { actor, scopes: [...new Set(scopes)], tokenScopes: [...new Set(tokenScopes)] };
  }

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (url === undefined || !isGuardedUrl(url)) return;
    const lambdaRequest = request as LambdaRequest;
    try {
      const grant = (options.runtime === 'lambda' ? fromEvent(lambdaRequest) : undefined) ?? (await fromHeaders(request));
      identities.set(request, grant);
      lambdaRequest.actor = grant.actor;
    } catch (error) {
      if (!(error instanceof DomainError)) request.log.error({ err: error }, 'authentication failed unexpectedly');
      identities.set(request, error instanceof DomainError ? error : unauthenticated('the credential could not be checked'));
    }
  });

  app.addHook('onRoute', (route) => {
    if (!isGuardedUrl(route.url)) return;
    const scope = requiredScopeOf(route);
    route.config = { ...route.config, scope };
    const guard = async (request: FastifyRequest, reply: FastifyReply) => {
      const identity = identities.get(request);
      if (!identity || identity instanceof DomainError) {
        reply.header('www-authenticate', 'Bearer realm="gatewire"');
        throw identity ?? unauthenticated('credentials are required');
      }
      const who = `${identity.actor.kind} ${identity.actor.id}`;
      if (!includesScope(identity.scopes, scope)) {
        throw forbidden(`this operation needs the "${scope}" scope; ${who} has ${identity.scopes.length > 0 ? identity.scopes.join(', ') : 'none'}`);
      }
      // A route about the caller's own things (its changes) is open to a key limited to some APIs.
      if (identity.apiIds && !route.config?.callersOwn) {
        const apiId = (request.params as { apiId?: unknown } | undefined)?.apiId;
        if (typeof apiId !== 'string') {
          throw forbidden(`${who} is limited to the APIs ${identity.apiIds.join(', ')}; this operation is not about one API`);
        }
        if (!identity.apiIds.includes(apiId)) throw forbidden(`${who} may not act on API ${apiId}`);
      }
    };
    route.onRequest = [...[route.onRequest ?? []].flat(), guard];
    documentRoute(route, scope);
  });
}

/** The operation's security requirement, scope and the 401/403/429 problems, in the OpenAPI document. */
function documentRoute(route: RouteOptions, scope: Scope): void {
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  // A GET route and the HEAD route Fastify adds for it share one schema object: document it once.
  if (schema['security']) return;
  schema['security'] = [{ apiKey: [] }, { bearer: [] }];
  const description = typeof schema['description'] === 'string' ? `${schema['description']}\n\n` : '';
  schema['description'] = `${description}Requires the \`${scope}\` scope${scope === 'admin' ? '' : ` (or ${scope === 'read' ? '`write` or `admin`' : '`admin`'})`}.`;
  schema['response'] = {
    ...(schema['response'] as Record<string, unknown> | undefined),
    401: problemResponse('No credential, or one that is not valid (`WWW-Authenticate: Bearer`).'),
    403: problemResponse(`The credential lacks the \`${scope}\` scope, or may not act on this API.`),
    429: problemResponse('Too many requests from this caller: see Retry-After.'),
  };
}
