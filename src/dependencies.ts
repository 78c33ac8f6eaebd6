// The composition root: the only place that builds adapters (AWS clients, audit store, locks)
// and hands them to the services. Everything it opens, close() closes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Config } from './config.js';
import { createAuditDatabase, createPostgresPool } from './audit/database.js';
import { createIdGenerator } from './audit/id.js';
import { createKyselyIdempotencyStore } from './audit/idempotency-store.js';
import { createInProcessLock, createPostgresAdvisoryLock } from './audit/locks.js';
import { createMemoryIdempotencyStore } from './audit/memory-idempotency-store.js';
import { migrateToLatest } from './audit/migrate.js';
import { redactingAuditStore } from './audit/redact.js';
import { createKyselyAuditStore } from './audit/store.js';
import { createApiGatewayAdapter } from './aws/api-gateway.js';
import { createAwsCallLog } from './aws/call-log.js';
import { createAwsClients } from './aws/clients.js';
import { startBudgetShare, type BudgetShare } from './aws/budget-share.js';
import { createPriorityLimiter, type PriorityLimiter } from './aws/priority-limiter.js';
import { createReadCoalescer } from './aws/read-coalescer.js';
import { createKyselyBudgetMembers } from './audit/budget-members.js';
import { createLambdaAdapter } from './aws/lambda.js';
import { createLambdaContinuation, SWEEP_CONTINUES_CHANGES } from './aws/lambda-continuation.js';
import { createStsAdapter } from './aws/sts.js';
import type { AppServices } from './app.js';
import { createApiService } from './services/api-service.js';
import { createAuditService } from './services/audit-service.js';
import { createBulkApplyService } from './services/bulk-apply-service.js';
import { ChangeKinds, createChangeRunner } from './services/change-runner.js';
import { createChangeRecovery, type ChangeRecovery } from './services/change-recovery.js';
import { createChangeService } from './services/change-service.js';
import { ChangeTracker } from './services/change-tracker.js';
import { createDriftService } from './services/drift-service.js';
import { createIdempotencyService } from './services/idempotency-service.js';
import { createIntegrationService } from './services/integration-service.js';
import { createPermissionPlanner } from './services/permission-planner.js';
import { createPermissionService } from './services/permission-service.js';
import { createStageHoldReader } from './services/stage-holds.js';
import type { ApiLock, AuditStore, BudgetMembers, Clock, ContinuationPort, IdempotencyStore, IdGenerator } from './services/ports.js';
import { createRouteIntegrationService } from './services/route-integration-service.js';
import { createFactCache } from './services/fact-cache.js';
import { forgettingGoneFunctions } from './services/fact-invalidation.js';
import { createGuardrails } from './services/guardrails.js';
import { sessionPolicyFor } from './domain/guardrails.js';

export interface Dependencies {
  services: AppServices;
  auditStore: AuditStore;
  /** Takes over changes whose owner died or handed them over (server.ts starts its sweep). */
  recovery: ChangeRecovery;
  /** The changes this instance runs (server.ts hands them over at shutdown). */
  tracker: ChangeTracker;
  /** This instance's name as an owner of changes. */
  owner: string;
  close(): Promise<void>;
}

export interface DependencyOverrides {
  /** Tests: static dummy credentials for the fake; production leaves the SDK's default chain. */
  awsCredentials?: AwsCredentialIdentity;
  /**
   * Tests: an audit store of their own (e.g. in memory) instead of the one GATEWIRE_AUDIT_URL names.
   * Without `idempotency`, Idempotency-Keys are kept in memory (one instance only).
   */
  audit?: { store: AuditStore; lock: ApiLock; idempotency?: IdempotencyStore; budget?: BudgetMembers; close?: () => Promise<void> };
  clock?: Clock;
  ids?: IdGenerator;
  /** Tests: the name of this instance as an owner of changes. */
  owner?: string;
  /** Tests: where a handed-over Lambda change goes on; default: by runtime. */
  continuation?: ContinuationPort;
  /** Lambda: the function (ARN with its qualifier) running now, for continuations. */
  currentFunction?: () => string | undefined;
}

/** Opens the audit store named in config (migrating a SQL database, checking DynamoDB's tables). */
export async function openAuditStore(
  config: Pick<Config, 'auditUrl'> & Partial<Pick<Config, 'lock' | 'region' | 'dynamoDbEndpoint'>>,
  options: { credentials?: AwsCredentialIdentity } = {},
): Promise<{ store: AuditStore; lock: ApiLock; idempotency: IdempotencyStore; budget: BudgetMembers; close(): Promise<void> }> {
  if (config.auditUrl.startsWith('dynamodb://')) {
    // Imported on demand: the DynamoDB client is a chunk of its own in the Lambda bundle, loaded
    // only by deployments that select this store (and never by SQL ones).
    const { openDynamoDbAudit } = await import('./audit/dynamodb.js');
    return openDynamoDbAudit(config.auditUrl, {
      region: config.region ?? 'us-east-1',
      endpoint: config.dynamoDbEndpoint,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(config.lock ? { lock: { waitTimeoutMillis: config.lock.waitMs, maxWaiters: config.lock.maxWaiters } } : {}),
    });
  }
  const lockWait = config.lock ? { waitMillis: config.lock.waitMs, maxWaiters: config.lock.maxWaiters } : {};
  const handle = await createAuditDatabase(config.auditUrl);
  await migrateToLatest(handle.db, handle.dialect);
  const store = createKyselyAuditStore(handle.db);
  // Same Kysely instance (and pool) as the audit store: closing the store closes both.
  const idempotency = createKyselyIdempotencyStore(handle.db);
  const budget = createKyselyBudgetMembers(handle.db);
  if (handle.dialect === 'postgres') {
    // The lock gets a pool of its own: a change holds its lock connection while it writes records.
    const lockPool = await createPostgresPool(config.auditUrl, { maxConnections: 5 });
    let closing: Promise<void> | undefined;
    return {
      store,
      lock: createPostgresAdvisoryLock(lockPool, lockWait),
      idempotency,
      budget,
      // Safe to call twice (pg throws on a second pool.end()).
      close: () => (closing ??= store.close().then(() => lockPool.end())),
    };
  }
  return { store, lock: createInProcessLock(lockWait), idempotency, budget, close: () => store.close() };
}

export async function createDependencies(config: Config, overrides: DependencyOverrides = {}): Promise<Dependencies> {
  const clock = overrides.clock ?? { now: () => new Date() };
  const ids = overrides.ids ?? createIdGenerator(clock);
  const callLog = createAwsCallLog();
  // Changes before reads, reads bounded (aws/priority-limiter.ts); each limiter's share of the
  // account's budget is set by the budget share below.
  const { readWaitMs, readCacheMs } = config.awsBudget;
  const limiters = {
    apiGateway: config.awsRateLimits.apiGateway ? createPriorityLimiter(config.awsRateLimits.apiGateway, { readWaitMs }) : undefined,
    lambda: config.awsRateLimits.lambda ? createPriorityLimiter(config.awsRateLimits.lambda, { readWaitMs }) : undefined,
  };
  const clients = createAwsClients({
    region: config.region,
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    ...(overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}),
    maxAttempts: config.awsMaxAttempts,
    connectionTimeoutMs: Math.min(config.awsTimeoutMs, 5_000),
    requestTimeoutMs: config.awsTimeoutMs,
    limiters,
    readCoalescer: createReadCoalescer({ cacheMs: readCacheMs }),
    callLog,
  });
  const audit = overrides.audit ?? (await openAuditStore(config, overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}));
  // Unique per process start: a restarted instance must not renew the leases of its former self.
  const owner = overrides.owner ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  const budgetShare = await shareBudget(config, audit.budget, owner, [limiters.apiGateway, limiters.lambda]);
  const apiGateway = createApiGatewayAdapter(clients.apiGateway, {
    deployments: { intervalMs: config.deploymentIntervalMs },
    createClient: clients.apiGatewayCreates,
  });
  // Facts a change need not read every time (issue 15); a function found gone is forgotten at once.
  const facts = createFactCache();
  const lambdaAdapter = createLambdaAdapter(clients.lambda, {
    ...(config.accountId ? { accountId: config.accountId } : {}),
    sts: createStsAdapter(clients.sts),
    crossAccountRoles: config.crossAccountRoles,
    clientWithCredentials: clients.lambdaWithCredentials,
    // An assumed-role session may only write the policies of functions some guardrail allows.
    sessionPolicyFor: (account) => sessionPolicyFor(config.guardrails.document, account, config.accountId),
  });
  const lambda = forgettingGoneFunctions(lambdaAdapter, facts);
  const guardrails = createGuardrails({
    document: config.guardrails.document,
    permissionScope: config.permissionScope,
    ownAccount: () => lambda.accountId(),
  });
  // Secrets never reach audit records, whichever store is in use (DESIGN §5).
  const auditStore = redactingAuditStore(audit.store);
  const permissions = createPermissionPlanner({
    lambda,
    scope: config.permissionScope,
    region: config.region,
    stageHolds: createStageHoldReader({ apiGateway, auditStore: audit.store, clock }),
  });
  const tracker = new ChangeTracker();
  const kinds = new ChangeKinds();
  const { leaseMs, deadlineMs, sweepIntervalMs } = config.changes;
  let recovery: ChangeRecovery | undefined;
  const runner = createChangeRunner({
    apiGateway,
    lambda,
    auditStore,
    apiLock: audit.lock,
    callLog,
    clock,
    ids,
    owner,
    leaseMs,
    deadlineMs,
    tracker,
    recoverOrphans: (apiId) => recovery!.recoverOrphans(apiId),
  });
  recovery = createChangeRecovery({
    apiGateway,
    lambda,
    auditStore,
    apiLock: audit.lock,
    callLog,
    clock,
    owner,
    leaseMs,
    tracker,
    kinds,
    runner: () => runner,
    sweepIntervalMs,
  });
  const runChange = runner.runChange;
  const continuation =
    overrides.continuation ??
    (config.runtime === 'lambda'
      ? createLambdaContinuation(clients.lambda, overrides.currentFunction ?? (() => process.env['AWS_LAMBDA_FUNCTION_NAME']))
      : SWEEP_CONTINUES_CHANGES);

  const permissionService = createPermissionService({ apiGateway, permissions, runChange, scope: config.permissionScope, region: config.region });

  return {
    services: {
      apis: createApiService({ apiGateway }),
      routeIntegrations: createRouteIntegrationService({ apiGateway, lambda, permissions, runChange, region: config.region, guardrails, kinds, facts }),
      bulk: createBulkApplyService({ apiGateway, lambda, permissions, runChange, region: config.region, guardrails, kinds }),
      integrations: createIntegrationService({ apiGateway, permissions, runChange, guardrails }),
      permissions: permissionService,
      drift: createDriftService({ apiGateway, auditStore: audit.store, permissions: permissionService }),
      audit: createAuditService({ auditStore: audit.store }),
      changes: createChangeService({
        auditStore,
        // The estimate's floor: AWS's pace for API Gateway writes (or none when unpaced).
        minSecondsPerStep: config.awsRateLimits.apiGateway ? 1 / config.awsRateLimits.apiGateway.perSecond : 0,
      }),
      continuation,
      idempotency: createIdempotencyService({
        store: audit.idempotency ?? createMemoryIdempotencyStore(),
        clock,
        ttlSeconds: config.idempotencyTtlSeconds,
      }),
    },
    auditStore: audit.store,
    recovery,
    tracker,
    owner,
    async close() {
      await recovery!.stop();
      await budgetShare?.stop();
      clients.destroy();
      await audit.close?.();
    },
  };
}

/**
 * Joins the account's budget (aws/budget-share.ts) when the store can keep its members and some
 * limiter is on; the first share is set before the instance serves anything.
 */
async function shareBudget(
  config: Config,
  members: BudgetMembers | undefined,
  instance: string,
  candidates: Array<PriorityLimiter | undefined>,
): Promise<BudgetShare | undefined> {
  const limiters = candidates.filter((limiter): limiter is PriorityLimiter => limiter !== undefined);
  if (!config.awsBudget.shared || members === undefined || limiters.length === 0) return undefined;
  const share = startBudgetShare({
    members,
    // The key names the account and region whose quota it is (issue 19 adds targets: one each).
    key: { account: config.accountId ?? 'caller', region: config.region },
    instance,
    limiters,
    intervalMs: config.awsBudget.heartbeatMs,
  });
  // A store that does not answer leaves this instance the whole budget until a beat succeeds: only
  // reads can run meanwhile (changes fail closed without their audit store), and the SDK retries
  // what AWS throttles.
  await share.beat().catch(() => undefined);
  return share;
}
