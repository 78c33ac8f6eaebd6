// State per account and region, as AWS keeps it: each (account, region) has its own APIs, deployment
// pace and rate-limit buckets; Lambda functions live per region (every account's, so that a policy
// read by full ARN reaches another account's function) and a bare function name means the caller's
// account. Scopes are made on first use, so a single-account test sees exactly the old fake.
import { createApiGatewayOperations } from './api-gateway-handlers.js';
import { ApiGatewayState } from './api-gateway-state.js';
import { requireFunctionAccount } from './cross-account.js';
import { LambdaFunctions, type LambdaFunction } from './lambda-functions.js';
import { createLambdaOperations } from './lambda-handlers.js';
import { createOperationMatcher, type MatchedOperation } from './operations.js';
import type { PolicyStore } from './policy.js';
import { TokenBucket } from './rate-limit.js';
import { scopeKey, type FakeScope } from './signing.js';
import type { FakeSts } from './sts.js';
import type { RateLimitOptions, ServiceName } from './types.js';

export interface Scope extends FakeScope {
  apiGateway: ApiGatewayState;
  /** This region's functions, with bare names resolving in this scope's account. */
  functions: LambdaFunctions;
  match(method: string, pathname: string): MatchedOperation | undefined;
  rateLimits: Partial<Record<ServiceName, TokenBucket>>;
}

export interface ScopeSettings {
  routeQuota: number;
  integrationQuota: number;
  deploymentIntervalMs: number;
  rateLimit: RateLimitOptions | undefined;
  now: () => number;
  policies: PolicyStore;
  sts: FakeSts;
}

export class Scopes {
  private readonly scopes = new Map<string, Scope>();
  /** region -> `${accountId}:${name}` -> function: shared by every account's scope in the region. */
  private readonly functionsByRegion = new Map<string, Map<string, LambdaFunction>>();

  constructor(
    readonly defaultScope: FakeScope,
    private readonly settings: ScopeSettings,
  ) {}

  get(where: Partial<FakeScope> = {}): Scope {
    const scope = { accountId: where.accountId ?? this.defaultScope.accountId, region: where.region ?? this.defaultScope.region };
    const key = scopeKey(scope);
    let found = this.scopes.get(key);
    if (!found) {
      found = this.create(scope);
      this.scopes.set(key, found);
    }
    return found;
  }

  all(): Scope[] {
    return [...this.scopes.values()];
  }

  /** Every function of every region. */
  functions(): LambdaFunction[] {
    return [...this.functionsByRegion.values()].flatMap((byName) => [...byName.values()]);
  }

  private create(scope: FakeScope): Scope {
    const { settings } = this;
    let byName = this.functionsByRegion.get(scope.region);
    if (!byName) {
      byName = new Map();
      this.functionsByRegion.set(scope.region, byName);
    }
    const apiGateway = new ApiGatewayState(scope.region, scope.accountId, settings.routeQuota, settings.integrationQuota);
    const functions = new LambdaFunctions(scope.region, scope.accountId, byName);
    const rateLimits: Partial<Record<ServiceName, TokenBucket>> = {};
    if (settings.rateLimit) {
      const limit = settings.rateLimit;
      rateLimits.apigatewayv2 = new TokenBucket(limit.apiGatewayPerSecond, limit.apiGatewayBurst, settings.now);
      rateLimits.lambda = new TokenBucket(limit.lambdaPerSecond, limit.lambdaPerSecond, settings.now);
    }
    const match = createOperationMatcher([
      ...createApiGatewayOperations(apiGateway, { deploymentIntervalMs: settings.deploymentIntervalMs, now: settings.now }),
      ...requireFunctionAccount(createLambdaOperations(functions, settings.policies), functions, settings.sts),
    ]);
    return { ...scope, apiGateway, functions, match, rateLimits };
  }
}
