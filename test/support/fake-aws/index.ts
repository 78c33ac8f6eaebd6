// A wire-level fake of the API Gateway v2 control plane and Lambda's policy calls, for driving the
// real AWS SDK v3 clients over HTTP on 127.0.0.1. See README.md in this folder for what it models.
import { createApiGatewayOperations } from './api-gateway-handlers.js';
import { ApiGatewayState, type ApiRecord } from './api-gateway-state.js';
import { FaultInjector } from './faults.js';
import { LambdaFunctions } from './lambda-functions.js';
import { createLambdaOperations } from './lambda-handlers.js';
import { createOperationMatcher } from './operations.js';
import { PolicyStore } from './policy.js';
import { TokenBucket } from './rate-limit.js';
import { startFakeServer } from './server.js';
import { FakeSts, type AssumedSession } from './sts.js';
import { requireFunctionAccount } from './cross-account.js';
import type {
  FakeAwsOptions,
  FakeCall,
  FaultRule,
  Integration,
  IntegrationResponse,
  PolicyStatement,
  Route,
  RouteResponse,
  ServiceName,
} from './types.js';

export type {
  Api,
  Deployment,
  FakeAwsOptions,
  FakeCall,
  FaultKind,
  FaultRule,
  Integration,
  IntegrationResponse,
  PolicyStatement,
  RateLimitOptions,
  Route,
  RouteResponse,
  Stage,
} from './types.js';
export { DEFAULT_PAGE_SIZE } from './pagination.js';
export { POLICY_SIZE_LIMIT } from './policy.js';
export { accessKeyIdOf } from './sts.js';

export interface FakeApiView {
  readonly routes: Route[];
  readonly integrations: Integration[];
  integrationResponses(integrationId: string): IntegrationResponse[];
  routeResponses(routeId: string): RouteResponse[];
  route(routeKey: string): Route | undefined;
  integration(id: string): Integration | undefined;
}

export interface FakeAws {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  region: string;
  accountId: string;
  /** Every request received, in order (live array; resetCalls() empties it in place). */
  calls: FakeCall[];
  /** Calls whose method is not GET (STS calls, all POST, are not writes). */
  writes(): FakeCall[];
  resetCalls(): void;
  /** Returns the new API's id. */
  seedApi(input: { name: string; protocolType?: 'WEBSOCKET' | 'HTTP'; routeSelectionExpression?: string }): string;
  /** Returns the unqualified function ARN. */
  seedFunction(input: { name: string; accountId?: string; aliases?: string[]; versions?: string[] }): string;
  /** Deletes a seeded function behind the back of whatever is under test: every call naming it gets 404. */
  deleteFunction(name: string, accountId?: string): void;
  /** Live view of one API; every read returns deep copies in wire (lowerCamel) form. Throws for an unknown id. */
  api(apiId: string): FakeApiView;
  /** Parsed statements of the function's policy for `qualifier` (unqualified when absent); [] when none. */
  policy(functionName: string, qualifier?: string): PolicyStatement[];
  /** Seeds a statement written by someone else (no checks; replaces one with the same Sid). */
  putStatement(functionName: string, statement: object, qualifier?: string): void;
  /** The account a SigV4 access key belongs to: an assumed role's account, else the fake's own. */
  accountOfAccessKey(accessKeyId: string | undefined): string;
  /** Every AssumeRole answered, with the session policy sent (sts.ts). */
  assumedSessions(): AssumedSession[];
  /** STS AssumeRole of this role answers 403 AccessDenied from now on. */
  blockRole(roleArn: string): void;
  /** The role ARNs STS AssumeRole has issued credentials for, in order. */
  assumedRoles(): string[];
  /** Faults apply in order of injection (never to STS calls). */
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** Deep copy of all resource state (not calls, faults or revision ids), for before/after equality. */
  snapshot(): unknown;
  close(): Promise<void>;
}

const AWS_DEFAULT_QUOTA = 300;
const DEPLOYMENT_INTERVAL_MS = 5_000;

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const now = (): number => Date.now();
  const apiGateway = new ApiGatewayState(
    region,
    accountId,
    options.routeQuota ?? AWS_DEFAULT_QUOTA,
    options.integrationQuota ?? AWS_DEFAULT_QUOTA,
  );
  const functions = new LambdaFunctions(region, accountId);
  const policies = new PolicyStore();
  const sts = new FakeSts(accountId, now);
  const faults = new FaultInjector();
  const calls: FakeCall[] = [];

  const rateLimits: Partial<Record<ServiceName, TokenBucket>> = {};
  if (options.rateLimit) {
    const limit = options.rateLimit;
    rateLimits.apigatewayv2 = new TokenBucket(limit.apiGatewayPerSecond, limit.apiGatewayBurst, now);
    rateLimits.lambda = new TokenBucket(limit.lambdaPerSecond, limit.lambdaPerSecond, now);
  }

  const match = createOperationMatcher([
    ...createApiGatewayOperations(apiGateway, { deploymentIntervalMs: options.deploymentIntervalMs ?? DEPLOYMENT_INTERVAL_MS, now }),
    ...requireFunctionAccount(createLambdaOperations(functions, policies), functions, sts),
  ]);
  const server = await startFakeServer({
    match,
    faults,
    rateLimits,
    calls,
    sts,
    lambdaResource(functionName) {
      if (functionName === undefined) return `arn:aws:lambda:${region}:${accountId}:function`;
      try {
        return functions.resolve(functionName).fn.arn;
      } catch {
        return functionName;
      }
    },
  });

  return {
    url: server.url,
    region,
    accountId,
    calls,
    writes: () => calls.filter((call) => call.method !== 'GET' && call.service !== 'sts'),
    resetCalls() {
      calls.length = 0;
    },
    seedApi(input) {
      const protocolType = input.protocolType ?? 'WEBSOCKET';
      const routeSelectionExpression =
        input.routeSelectionExpression ?? (protocolType === 'WEBSOCKET' ? '$request.body.action' : '${request.method} ${request.path}');
      return apiGateway.addApi({
        name: input.name,
        protocolType,
        routeSelectionExpression,
        apiKeySelectionExpression: '$request.header.x-api-key',
        disableExecuteApiEndpoint: false,
      }).apiId;
    },
    seedFunction: (input) => functions.seed(input).arn,
    deleteFunction: (name, accountId) => functions.remove(name, accountId),
    api: (apiId) => apiView(apiGateway.apiRecord(apiId)),
    policy: (functionName, qualifier) => policies.statements(functions.resolve(functionName, qualifier).resourceArn),
    putStatement(functionName, statement, qualifier) {
      const sid = (statement as { Sid?: unknown }).Sid;
      if (typeof sid !== 'string') throw new Error('putStatement: the statement needs a string Sid');
      const resolved = functions.resolve(functionName, qualifier);
      policies.put(resolved.resourceArn, { Resource: resolved.resourceArn, ...statement, Sid: sid });
    },
    accountOfAccessKey: (accessKeyId) => sts.identityOf(accessKeyId).accountId,
    blockRole: (roleArn) => sts.blockRole(roleArn),
    assumedRoles: () => sts.assumedRoles(),
    assumedSessions: () => sts.assumedSessions(),
    inject: (rule) => faults.inject(rule),
    clearFaults: () => faults.clear(),
    snapshot: () => ({
      apis: Object.fromEntries([...apiGateway.apis].map(([apiId, record]) => [apiId, snapshotApi(record)])),
      functions: functions.all().map((fn) => ({ ...fn, aliases: Object.fromEntries(fn.aliases) })),
      policies: policies.snapshot(),
    }),
    close: () => server.close(),
  };
}

function apiView(record: ApiRecord): FakeApiView {
  return {
    get routes() {
      return structuredClone([...record.routes.values()]);
    },
    get integrations() {
      return structuredClone([...record.integrations.values()]);
    },
    integrationResponses: (integrationId) => structuredClone([...(record.integrationResponses.get(integrationId)?.values() ?? [])]),
    routeResponses: (routeId) => structuredClone([...(record.routeResponses.get(routeId)?.values() ?? [])]),
    route: (routeKey) => structuredClone([...record.routes.values()].find((route) => route.routeKey === routeKey)),
    integration: (id) => structuredClone(record.integrations.get(id)),
  };
}

function snapshotApi(record: ApiRecord): unknown {
  const nested = <T>(map: Map<string, Map<string, T>>): Record<string, T[]> =>
    Object.fromEntries([...map].filter(([, inner]) => inner.size > 0).map(([id, inner]) => [id, [...inner.values()]]));
  return structuredClone({
    api: record.api,
    routes: [...record.routes.values()],
    integrations: [...record.integrations.values()],
    integrationResponses: nested(record.integrationResponses),
    routeResponses: nested(record.routeResponses),
    stages: [...record.stages.values()],
    deployments: [...record.deployments.values()],
  });
}
