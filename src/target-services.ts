// The services that act on AWS, for one target (issue 19): adapters over the target's clients,
// its guardrails and permission planner, a change runner and its recovery. dependencies.ts builds
// one bundle for the default target at start and the others on first use; what is not tied to an
// account and region (audit, changes, idempotency, locks) stays shared, locks keyed by target.
import type { Config } from './config.js';
import { createApiGatewayAdapter } from './aws/api-gateway.js';
import type { CapturingCallLog } from './aws/call-log.js';
import type { AwsClients } from './aws/clients.js';
import { createLambdaAdapter } from './aws/lambda.js';
import type { StsPort } from './aws/sts.js';
import { fleetRolesFor } from './domain/fleet-roles.js';
import { sessionPolicyFor } from './domain/guardrails.js';
import { targetGuardrails } from './domain/targets.js';
import type { AppServices } from './app.js';
import { createApiService } from './services/api-service.js';
import { createBulkApplyService } from './services/bulk-apply-service.js';
import { ChangeKinds, createChangeRunner } from './services/change-runner.js';
import { createChangeRecovery, type ChangeRecovery } from './services/change-recovery.js';
import type { ChangeTracker } from './services/change-tracker.js';
import { createDriftService } from './services/drift-service.js';
import { createGuardrails } from './services/guardrails.js';
import { createIntegrationService } from './services/integration-service.js';
import { createPermissionPlanner } from './services/permission-planner.js';
import { createPermissionService } from './services/permission-service.js';
import { createPermissionStage } from './services/permission-stage.js';
import type { ApiLock, AuditStore, Clock, IdGenerator } from './services/ports.js';
import { createRouteIntegrationService } from './services/route-integration-service.js';
import { createStageHoldReader } from './services/stage-holds.js';
import { createFactCache } from './services/fact-cache.js';
import { targetKeyedLock } from './services/target-lock.js';
import { forgettingGoneFunctions } from './services/fact-invalidation.js';

/** The services a path under a target acts through. */
export type TargetServices = Pick<AppServices, 'apis' | 'routeIntegrations' | 'bulk' | 'integrations' | 'permissions' | 'drift'>;

export interface TargetServicesInput {
  config: Pick<Config, 'permissionScope' | 'deploymentIntervalMs' | 'crossAccountRoles' | 'guardrails' | 'changes' | 'targets'>;
  /** The target's account (undefined: STS says, for the default target) and region. */
  accountId: string | undefined;
  region: string;
  clients: AwsClients;
  /** Gatewire's own STS: who assumes the roles of function accounts (GATEWIRE_CROSS_ACCOUNT_ROLES). */
  sts: StsPort;
  /** Secrets-redacting, for change records; `rawAuditStore` for reads. */
  auditStore: AuditStore;
  rawAuditStore: AuditStore;
  apiLock: ApiLock;
  callLog: CapturingCallLog;
  clock: Clock;
  ids: IdGenerator;
  owner: string;
  tracker: ChangeTracker;
  /** The target's name; undefined for `default` (its records carry no target). */
  target?: string;
  /** The guardrail policies that apply in the target (its `guardrailPolicies`); undefined: all. */
  guardrailPolicies?: readonly string[] | undefined;
  /** Another target's recovery, for changes whose records name it (change-recovery.ts). */
  recoveryFor: (target: string | undefined) => ChangeRecovery | undefined;
}

export interface TargetBundle {
  services: TargetServices;
  recovery: ChangeRecovery;
}

export function createTargetServices(input: TargetServicesInput): TargetBundle {
  const { config, clients, region, clock, auditStore } = input;
  // Guardrails per target: only the policies it names apply there.
  const document = targetGuardrails(config.guardrails.document, input.guardrailPolicies);
  const apiGateway = createApiGatewayAdapter(clients.apiGateway, {
    deployments: { intervalMs: config.deploymentIntervalMs },
    createClient: clients.apiGatewayCreates,
  });
  // A function in another account of the fleet is written through that account's target role.
  const fleet = fleetRolesFor(config.targets, config.crossAccountRoles, input.accountId);
  // Facts a change need not read every time (issue 15), per target (an API id or a function name
  // means something else in another account or region); a function found gone is forgotten at once.
  const facts = createFactCache();
  const lambdaAdapter = createLambdaAdapter(clients.lambda, {
    ...(input.accountId ? { accountId: input.accountId } : {}),
    sts: input.sts,
    crossAccountRoles: fleet.roles,
    externalIds: fleet.externalIds,
    clientWithCredentials: clients.lambdaWithCredentials,
    // An assumed-role session may only write the policies of functions some guardrail allows.
    sessionPolicyFor: (account) => sessionPolicyFor(document, account, input.accountId),
  });
  const lambda = forgettingGoneFunctions(lambdaAdapter, facts);
  const guardrails = createGuardrails({
    document,
    permissionScope: config.permissionScope,
    ownAccount: () => lambda.accountId(),
  });
  const permissions = createPermissionPlanner({
    lambda,
    scope: config.permissionScope,
    region,
    stageHolds: createStageHoldReader({ apiGateway, auditStore: input.rawAuditStore, clock }),
  });
  // Each target its own: a kind's resolver closes over the services (and so the clients) that registered it.
  const kinds = new ChangeKinds();
  const { leaseMs, deadlineMs, sweepIntervalMs } = config.changes;
  // One lock for all targets, keyed by target: the same API id in two targets is two APIs.
  const apiLock = targetKeyedLock(input.apiLock, input.target);
  let recovery: ChangeRecovery | undefined;
  const runner = createChangeRunner({
    apiGateway,
    lambda,
    auditStore,
    apiLock,
    callLog: input.callLog,
    clock,
    ids: input.ids,
    owner: input.owner,
    leaseMs,
    deadlineMs,
    tracker: input.tracker,
    permissions: createPermissionStage(permissions),
    recoverOrphans: (apiId) => recovery!.recoverOrphans(apiId),
  });
  recovery = createChangeRecovery({
    apiGateway,
    lambda,
    auditStore,
    apiLock,
    callLog: input.callLog,
    clock,
    owner: input.owner,
    leaseMs,
    tracker: input.tracker,
    kinds,
    runner: () => runner,
    sweepIntervalMs,
    ...(input.target !== undefined ? { target: input.target } : {}),
    recoveryFor: input.recoveryFor,
  });
  const runChange = runner.runChange;
  const permissionService = createPermissionService({ apiGateway, permissions, runChange, scope: config.permissionScope, region });
  return {
    services: {
      apis: createApiService({ apiGateway }),
      routeIntegrations: createRouteIntegrationService({ apiGateway, lambda, permissions, runChange, region, guardrails, kinds, facts }),
      bulk: createBulkApplyService({ apiGateway, lambda, permissions, runChange, region, scope: config.permissionScope, guardrails, kinds, facts }),
      integrations: createIntegrationService({ apiGateway, runChange, guardrails }),
      permissions: permissionService,
      drift: createDriftService({ apiGateway, auditStore: input.rawAuditStore, permissions: permissionService }),
    },
    recovery,
  };
}
