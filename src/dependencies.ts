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
import { targetReadingAuditStore, targetStampingAuditStore } from './audit/target-stamp.js';
import { createKyselyAuditStore } from './audit/store.js';
import { createKyselyBudgetMembers } from './audit/budget-members.js';
import { createAwsCallLog } from './aws/call-log.js';
import { createAwsClients } from './aws/clients.js';
import { createAccountBudget, type AccountBudget } from './aws/account-budget.js';
import { createLambdaContinuation, SWEEP_CONTINUES_CHANGES } from './aws/lambda-continuation.js';
import { createStsAdapter } from './aws/sts.js';
import { createTargetClients } from './aws/target-clients.js';
import { createTargetRegistry } from './services/target-registry.js';
import { createFleetDriftService } from './services/fleet-drift-service.js';
import { createTargetServices, type TargetBundle } from './target-services.js';
import { DEFAULT_TARGET, type Target } from './domain/targets.js';
import type { AppServices } from './app.js';
import { createAuditService } from './services/audit-service.js';
import type { ChangeRecovery } from './services/change-recovery.js';
import { createChangeService } from './services/change-service.js';
import { ChangeTracker } from './services/change-tracker.js';
import { createIdempotencyService } from './services/idempotency-service.js';
import type { ApiLock, AuditStore, BudgetMembers, Clock, ContinuationPort, IdempotencyStore, IdGenerator } from './services/ports.js';

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
  const clientOptions = {
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    maxAttempts: config.awsMaxAttempts,
    connectionTimeoutMs: Math.min(config.awsTimeoutMs, 5_000),
    requestTimeoutMs: config.awsTimeoutMs,
    callLog,
  };
  const audit = overrides.audit ?? (await openAuditStore(config, overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}));
  // Secrets never reach audit records, whichever store is in use (DESIGN §5).
  const auditStore = redactingAuditStore(audit.store);
  // Unique per process start: a restarted instance must not renew the leases of its former self.
  const owner = overrides.owner ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  // One AWS budget per account and region (issue 15), shared with the instances on this store.
  const budgets = new Map<string, AccountBudget>();
  const budgetOf = (account: string | undefined, region: string): AccountBudget => {
    const key = { account: account ?? 'caller', region };
    const name = `${key.account}:${key.region}`;
    let budget = budgets.get(name);
    if (!budget) {
      budget = createAccountBudget({ config, key, members: audit.budget, instance: owner });
      budgets.set(name, budget);
    }
    return budget;
  };
  const homeBudget = budgetOf(config.accountId, config.region);
  // The first share is set before the instance serves anything.
  await homeBudget.ready;
  const clients = createAwsClients({
    ...clientOptions,
    limiters: homeBudget.limiters,
    readCoalescer: homeBudget.readCoalescer,
    region: config.region,
    ...(overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}),
  });
  const tracker = new ChangeTracker();
  const sts = createStsAdapter(clients.sts);
  // Each target's bundle, built on first use (a request naming it, or a change of it to recover).
  const bundles = new Map<string, TargetBundle>();
  const recoveryFor = (name: string | undefined): ChangeRecovery | undefined => {
    if (name === undefined || name === DEFAULT_TARGET) return home.recovery;
    const target = config.targets.find((candidate) => candidate.name === name);
    return target?.roleArn === undefined ? undefined : bundleFor({ ...target, roleArn: target.roleArn }).recovery;
  };
  const shared = { config, sts, auditStore, rawAuditStore: audit.store, apiLock: audit.lock, callLog, clock, ids, owner, tracker, recoveryFor };
  const home = createTargetServices({
    ...shared,
    rawAuditStore: targetReadingAuditStore(audit.store, DEFAULT_TARGET),
    accountId: config.accountId,
    region: config.region,
    clients,
  });
  const recovery = home.recovery;
  const targetClients = createTargetClients({
    base: clientOptions,
    sts,
    budgetFor: (target) => {
      const budget = budgetOf(target.accountId, target.region);
      return { limiters: budget.limiters, readCoalescer: budget.readCoalescer };
    },
  });
  function bundleFor(target: Target & { roleArn: string }): TargetBundle {
    let bundle = bundles.get(target.name);
    if (!bundle) {
      bundle = createTargetServices({
        ...shared,
        // Its change records say where they acted (GET /v1/audit?target=, recovery).
        auditStore: targetStampingAuditStore(auditStore, target.name),
        rawAuditStore: targetReadingAuditStore(audit.store, target.name),
        target: target.name,
        guardrailPolicies: target.guardrailPolicies,
        accountId: target.accountId,
        region: target.region,
        clients: targetClients.clientsFor(target),
      });
      bundles.set(target.name, bundle);
    }
    return bundle;
  }
  const targets = createTargetRegistry({
    targets: config.targets,
    defaultServices: home.services,
    servicesFor: (target) => bundleFor(target).services,
    credentialsFor: (target) => targetClients.credentialsFor(target),
    identityOf: async (target) =>
      (await (target.roleArn === undefined ? sts : createStsAdapter(targetClients.clientsFor({ ...target, roleArn: target.roleArn }).sts)).callerIdentity()).account,
    checkTtlMs: config.targetCheckTtlMs,
    now: () => clock.now().getTime(),
  });
  const continuation =
    overrides.continuation ??
    (config.runtime === 'lambda'
      ? createLambdaContinuation(clients.lambda, overrides.currentFunction ?? (() => process.env['AWS_LAMBDA_FUNCTION_NAME']))
      : SWEEP_CONTINUES_CHANGES);

  return {
    services: {
      ...home.services,
      targets,
      fleetDrift: createFleetDriftService({ targets: config.targets, resolve: (name) => targets.resolve(name) }),
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
      await recovery.stop();
      await Promise.all([...budgets.values()].map((budget) => budget.stop()));
      targetClients.destroy();
      clients.destroy();
      await audit.close?.();
    },
  };
}
