// Builds the AWS SDK clients from config: region, endpoint (AWS_ENDPOINT_URL: moto, LocalStack or
// the test fake), adaptive retries with a bounded number of attempts, and socket timeouts.
// The Lambda and STS clients are built on first use (issue 15): a Lambda cold start that answers a
// read never parses their ~90 KB of SDK code (scripts/build-lambda.mjs fails if it would).
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, RetryStrategyV2 } from '@smithy/types';
import { addCallLogMiddleware, type CapturingCallLog } from './call-log.js';
import { addRateLimiterMiddleware, createRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter.js';
import type { ReadCoalescer } from './read-coalescer.js';

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * Tests pass static ones; a target's clients an assumed role's provider (target-clients.ts); in
   * production the default target leaves the SDK's default chain.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  callLog: CapturingCallLog;
  /** Client-side pacing per service, shared by every request of this instance; undefined: none. */
  rateLimits?: { apiGateway?: RateLimit | undefined; lambda?: RateLimit | undefined };
  /**
   * Limiters built by the caller (the shared budget, dependencies.ts), in place of ones built from
   * rateLimits: their share of the account's budget changes as instances come and go.
   */
  limiters?: { apiGateway?: RateLimiter | undefined; lambda?: RateLimiter | undefined };
  /** Coalesces and caches the reads of GET endpoints (aws/read-coalescer.ts); undefined: none. */
  readCoalescer?: ReadCoalescer;
}

/**
 * An SDK client built on first use: use() imports its package and builds it once (with the same
 * middleware as if it had been built at start); concurrent first calls share one build.
 */
export interface LazyClient<T> {
  use(): Promise<T>;
}

/** `build` runs at most once (a failed import is not memoized); `built` hears of the client made. */
function lazyClient<T extends { destroy(): void }>(build: () => Promise<T>, built: (client: T) => void): LazyClient<T> {
  let client: Promise<T> | undefined;
  return {
    use() {
      client ??= build().then(
        (made) => {
          built(made);
          return made;
        },
        (error: unknown) => {
          client = undefined;
          throw error;
        },
      );
      return client;
    },
  };
}

export interface AwsClients {
  apiGateway: ApiGatewayV2Client;
  /**
   * The same, for creates: the SDK retries them only when AWS throttled them, since a retry after a
   * lost answer could make a resource twice.
   */
  apiGatewayCreates: ApiGatewayV2Client;
  lambda: LazyClient<LambdaClient>;
  /** GetCallerIdentity and AssumeRole (recorded in the audit call log like every AWS call). */
  sts: LazyClient<STSClient>;
  /**
   * A Lambda client acting with other credentials (an assumed role in another account), sharing the
   * connection pool, retry settings and call log; destroy() destroys it too.
   */
  lambdaWithCredentials(credentials: AwsCredentialIdentityProvider): LazyClient<LambdaClient>;
  destroy(): void;
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  // One keep-alive agent per protocol, shared by both clients: control-plane calls come in bursts.
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    // Without it, a request past its timeout only logs a warning and goes on waiting: a hung call
    // would hold its change (and the API's lock) until the server let go (DESIGN §3: every AWS
    // call has a timeout).
    throwOnRequestTimeout: true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
    httpsAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
  });
  const common = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts,
    requestHandler,
  };
  const apiGateway = new ApiGatewayV2Client(common);
  const apiGatewayCreates = new ApiGatewayV2Client({
    ...common,
    retryStrategy: throttlingOnly(() => apiGateway.config.retryStrategy() as Promise<RetryStrategyV2>),
  });
  // Built lazily; destroy() destroys those built so far, and any built after it at once.
  const built = new Set<{ destroy(): void }>();
  let destroyed = false;
  const track = (client: { destroy(): void }) => {
    if (destroyed) client.destroy();
    else built.add(client);
  };
  const apiGatewayLimiter =
    options.limiters?.apiGateway ?? (options.rateLimits?.apiGateway ? createRateLimiter(options.rateLimits.apiGateway) : undefined);
  // One Lambda limiter for every account's client: conservative for other accounts' own budgets.
  const lambdaLimiter = options.limiters?.lambda ?? (options.rateLimits?.lambda ? createRateLimiter(options.rateLimits.lambda) : undefined);
  const paced = (stack: Parameters<typeof addRateLimiterMiddleware>[0], limiter: RateLimiter | undefined) => {
    if (limiter) addRateLimiterMiddleware(stack, limiter);
  };
  paced(apiGateway.middlewareStack, apiGatewayLimiter);
  paced(apiGatewayCreates.middlewareStack, apiGatewayLimiter);
  addCallLogMiddleware(apiGateway.middlewareStack, 'apigatewayv2', options.callLog);
  addCallLogMiddleware(apiGatewayCreates.middlewareStack, 'apigatewayv2', options.callLog);
  // Added last at the initialize step with high priority: outermost, so an answer from the cache
  // or from an identical call in flight is neither paced nor logged as an AWS call.
  options.readCoalescer?.add(apiGateway.middlewareStack, 'apigatewayv2');
  options.readCoalescer?.add(apiGatewayCreates.middlewareStack, 'apigatewayv2');
  // The Lambda clients get the API Gateway clients' middleware, in the same order: paced by the
  // account's Lambda limiter, logged, then coalesced (outermost).
  const lambdaClient = (credentials?: AwsCredentialIdentityProvider) =>
    lazyClient(async () => {
      const { LambdaClient } = await import('./lambda-sdk.js');
      const client = new LambdaClient(credentials ? { ...common, credentials } : common);
      paced(client.middlewareStack, lambdaLimiter);
      addCallLogMiddleware(client.middlewareStack, 'lambda', options.callLog);
      // Writes through another account's client drop cached Lambda reads too (other accounts'
      // functions are named by full ARN).
      options.readCoalescer?.add(client.middlewareStack, 'lambda');
      return client;
    }, track);
  const sts = lazyClient(async () => {
    const { STSClient } = await import('./sts-sdk.js');
    const client = new STSClient(common);
    // The account look-up and role assumptions are AWS calls of a change too.
    addCallLogMiddleware(client.middlewareStack, 'sts', options.callLog);
    return client;
  }, track);
  return {
    apiGateway,
    apiGatewayCreates,
    lambda: lambdaClient(),
    sts,
    lambdaWithCredentials: (credentials) => lambdaClient(credentials),
    destroy() {
      destroyed = true;
      apiGateway.destroy();
      apiGatewayCreates.destroy();
      for (const client of built) client.destroy();
      built.clear();
      requestHandler.destroy();
    },
  };
}

/**
 * The SDK's retry strategy (the same adaptive one, with its client-side rate), retrying only
 * throttling: AWS refused the call, so nothing was made. After a timeout, a reset or a 5xx a create
 * may have been made, and sending it again could make a second one (DESIGN §3): the change runner
 * finds out instead.
 */
function throttlingOnly(base: () => Promise<RetryStrategyV2>): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async (scope) => (await base()).acquireInitialRetryToken(scope),
    async refreshRetryTokenForRetry(token, errorInfo) {
      if (errorInfo.errorType !== 'THROTTLING') throw new Error('a create is retried only when AWS throttled it');
      return (await base()).refreshRetryTokenForRetry(token, errorInfo);
    },
    recordSuccess: (token) => void base().then((strategy) => strategy.recordSuccess(token)),
  };
}
