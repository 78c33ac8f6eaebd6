// Builds the AWS SDK clients from config: region, endpoint (AWS_ENDPOINT_URL: moto, LocalStack or
// the test fake), adaptive retries with a bounded number of attempts, and socket timeouts.
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
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

export interface AwsClients {
  apiGateway: ApiGatewayV2Client;
  /**
   * The same, for creates: the SDK retries them only when AWS throttled them, since a retry after a
   * lost answer could make a resource twice.
   */
  apiGatewayCreates: ApiGatewayV2Client;
  lambda: LambdaClient;
  /** GetCallerIdentity and AssumeRole (recorded in the audit call log like every AWS call). */
  sts: STSClient;
  /**
   * A Lambda client acting with other credentials (an assumed role in another account), sharing the
   * connection pool, retry settings and call log; destroy() destroys it too.
   */
  lambdaWithCredentials(credentials: AwsCredentialIdentityProvider): LambdaClient;
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
  const lambda = new LambdaClient(common);
  const sts = new STSClient(common);
  const extraLambdaClients: LambdaClient[] = [];
  const apiGatewayLimiter =
    options.limiters?.apiGateway ?? (options.rateLimits?.apiGateway ? createRateLimiter(options.rateLimits.apiGateway) : undefined);
  // One Lambda limiter for every account's client: conservative for other accounts' own budgets.
  const lambdaLimiter = options.limiters?.lambda ?? (options.rateLimits?.lambda ? createRateLimiter(options.rateLimits.lambda) : undefined);
  const paced = (stack: Parameters<typeof addRateLimiterMiddleware>[0], limiter: RateLimiter | undefined) => {
    if (limiter) addRateLimiterMiddleware(stack, limiter);
  };
  paced(apiGateway.middlewareStack, apiGatewayLimiter);
  paced(apiGatewayCreates.middlewareStack, apiGatewayLimiter);
  paced(lambda.middlewareStack, lambdaLimiter);
  addCallLogMiddleware(apiGateway.middlewareStack, 'apigatewayv2', options.callLog);
  addCallLogMiddleware(apiGatewayCreates.middlewareStack, 'apigatewayv2', options.callLog);
  addCallLogMiddleware(lambda.middlewareStack, 'lambda', options.callLog);
  // Added last at the initialize step with high priority: outermost, so an answer from the cache
  // or from an identical call in flight is neither paced nor logged as an AWS call.
  options.readCoalescer?.add(apiGateway.middlewareStack, 'apigatewayv2');
  options.readCoalescer?.add(apiGatewayCreates.middlewareStack, 'apigatewayv2');
  options.readCoalescer?.add(lambda.middlewareStack, 'lambda');
  // The account look-up and role assumptions are AWS calls of a change too.
  addCallLogMiddleware(sts.middlewareStack, 'sts', options.callLog);
  return {
    apiGateway,
    apiGatewayCreates,
    lambda,
    sts,
    lambdaWithCredentials(credentials) {
      const client = new LambdaClient({ ...common, credentials });
      addCallLogMiddleware(client.middlewareStack, 'lambda', options.callLog);
      paced(client.middlewareStack, lambdaLimiter);
      // Its writes drop cached Lambda reads too (other accounts' functions are named by full ARN).
      options.readCoalescer?.add(client.middlewareStack, 'lambda');
      extraLambdaClients.push(client);
      return client;
    },
    destroy() {
      apiGateway.destroy();
      apiGatewayCreates.destroy();
      lambda.destroy();
      sts.destroy();
      for (const client of extraLambdaClients) client.destroy();
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
