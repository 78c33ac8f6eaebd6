// A wire-level fake of the API Gateway v2 control plane and Lambda's policy calls, for driving the
// real AWS SDK v3 clients over HTTP on 127.0.0.1. See README.md in this folder for what it models.
import type { ApiRecord } from './api-gateway-state.js';
import { FaultInjector } from './faults.js';
import { PolicyStore } from './policy.js';
import { Scopes, type Scope } from './scopes.js';
import { startFakeServer } from './server.js';
import type { FakeScope } from './signing.js';
import { FakeSts, type AssumedSession } from './sts.js';
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
export { signingRegionOf, type FakeScope } from './signing.js';

export interface FakeApiView {
  readonly routes: Route[];
  readonly integrations: Integration[];
  integrationResponses(integrationId: string): IntegrationResponse[];
  routeResponses(routeId: string): RouteResponse[];
  route(routeKey: string): Route | undefined;
  integration(id: string): Integration | undefined;
}

/** One account and region of the fake: its own APIs, and the functions of its region. */
export interface FakeScopeView {
  readonly accountId: string;
  readonly region: string;
  seedApi(input: SeedApiInput): string;
  /** A function of this account and region; returns its unqualified ARN. */
  seedFunction(input: { name: string; aliases?: string[]; versions?: string[] }): string;
  api(apiId: string): FakeApiView;
  /** The ids of this account and region's APIs, in order of creation. */
  apiIds(): string[];
  /** Parsed statements of a function of this region's policy (a bare name: this account's); [] when none. */
  policy(functionName: string, qualifier?: string): PolicyStatement[];
}

export interface SeedApiInput {
  name: string;
  protocolType?: 'WEBSOCKET' | 'HTTP';
  routeSelectionExpression?: string;
  /** Tests: this id instead of a random one (API ids are unique within a region only: two scopes may share one). */
  apiId?: string;
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
  /** Returns the new API's id (in the default account and region; see `in()` for others). */
  seedApi(input: SeedApiInput): string;
  /** Returns the unqualified function ARN. */
  seedFunction(input: { name: string; accountId?: string; aliases?: string[]; versions?: string[] }): string;
  /** Deletes a seeded function behind the back of whatever is under test: every call naming it gets 404. */
  deleteFunction(name: string, accountId?: string): void;
  /** Live view of one API of the default account and region; every read returns deep copies in wire (lowerCamel) form. Throws for an unknown id. */
  api(apiId: string): FakeApiView;
  /**
   * Another account and/or region (default: the fake's own). Requests land there when signed with
   * that account's credentials (an assumed role's) and that region's signing scope.
   */
  in(where: Partial<FakeScope>): FakeScopeView;
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
  /** STS AssumeRole of this role answers 403 AccessDenied unless it sends this ExternalId. */
  requireExternalId(roleArn: string, externalId: string): void;
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
  const policies = new PolicyStore();
  const sts = new FakeSts(accountId, now);
  const faults = new FaultInjector();
  const calls: FakeCall[] = [];
  const scopes = new Scopes(
    { accountId, region },
    {
      routeQuota: options.routeQuota ?? AWS_DEFAULT_QUOTA,
      integrationQuota: options.integrationQuota ?? AWS_DEFAULT_QUOTA,
      deploymentIntervalMs: options.deploymentIntervalMs ?? DEPLOYMENT_INTERVAL_MS,
      rateLimit: options.rateLimit,
      now,
      policies,
      sts,
    },
  );
  const home = scopes.get();
  const apiGateway = home.apiGateway;
  const functions = home.functions;

  const server = await startFakeServer({
    match: (method, pathname, where) => scopes.get(where).match(method, pathname),
    faults,
    rateLimits: (where) => scopes.get(where).rateLimits,
    calls,
    sts,
    defaultScope: { accountId, region },
    lambdaResource(functionName, where) {
      const scope = scopes.get(where);
      if (functionName === undefined) return `arn:aws:lambda:${scope.region}:${scope.accountId}:function`;
      try {
        return scope.functions.resolve(functionName).fn.arn;
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
    seedApi: (input) => seedApi(home, input),
    seedFunction: (input) => functions.seed(input).arn,
    deleteFunction: (name, accountId) => functions.remove(name, accountId),
    api: (apiId) => apiView(apiGateway.apiRecord(apiId)),
    in: (where) => scopeView(scopes.get(where), policies),
    policy: (functionName, qualifier) => policies.statements(functions.resolve(functionName, qualifier).resourceArn),
    putStatement(functionName, statement, qualifier) {
      const sid = (statement as { Sid?: unknown }).Sid;
      if (typeof sid !== 'string') throw new Error('putStatement: the statement needs a string Sid');
      const resolved = functions.resolve(functionName, qualifier);
      policies.put(resolved.resourceArn, { Resource: resolved.resourceArn, ...statement, Sid: sid });
    },
    accountOfAccessKey: (accessKeyId) => sts.identityOf(accessKeyId).accountId,
    blockRole: (roleArn) => sts.blockRole(roleArn),
    requireExternalId: (roleArn, externalId) => sts.requireExternalId(roleArn, externalId),
    assumedRoles: () => sts.assumedRoles(),
    assumedSessions: () => sts.assumedSessions(),
    inject: (rule) => faults.inject(rule),
    clearFaults: () => faults.clear(),
    snapshot: () => {
      const apisOf = (scope: Scope) => Object.fromEntries([...scope.apiGateway.apis].map(([apiId, record]) => [apiId, snapshotApi(record)]));
      // Other accounts' and regions' APIs appear only once some exist: the default shape is the old one.
      const elsewhere = scopes.all().filter((scope) => scope !== home && scope.apiGateway.apis.size > 0);
      return {
        apis: apisOf(home),
        functions: scopes.functions().map((fn) => ({ ...fn, aliases: Object.fromEntries(fn.aliases) })),
        policies: policies.snapshot(),
        ...(elsewhere.length > 0 ? { elsewhere: Object.fromEntries(elsewhere.map((scope) => [`${scope.accountId}/${scope.region}`, apisOf(scope)])) } : {}),
      };
    },
    close: () => server.close(),
  };
}

function seedApi(scope: Scope, input: SeedApiInput): string {
  const protocolType = input.protocolType ?? 'WEBSOCKET';
  const routeSelectionExpression =
    input.routeSelectionExpression ?? (protocolType === 'WEBSOCKET' ? '$request.body.action' : '${request.method} ${request.path}');
  return scope.apiGateway.addApi({
    name: input.name,
    protocolType,
    routeSelectionExpression,
    apiKeySelectionExpression: '$request.header.x-api-key',
    disableExecuteApiEndpoint: false,
  }, input.apiId).apiId;
}

function scopeView(scope: Scope, policies: PolicyStore): FakeScopeView {
  return {
    accountId: scope.accountId,
    region: scope.region,
    seedApi: (input) => seedApi(scope, input),
    seedFunction: (input) => scope.functions.seed(input).arn,
    api: (apiId) => apiView(scope.apiGateway.apiRecord(apiId)),
    apiIds: () => [...scope.apiGateway.apis.keys()],
    policy: (functionName, qualifier) => policies.statements(scope.functions.resolve(functionName, qualifier).resourceArn),
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
