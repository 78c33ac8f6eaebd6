// GET /v1/apis/{apiId}/permissions and POST …/permissions/reconcile: how every Lambda integration
// of an API stands in its function's policy, and the change that brings the policies in line.
import { integrationIdOfTarget } from '../domain/model.js';
import {
  addPermissionCommand,
  classifyPermission,
  holdForStages,
  permissionNeedOf,
  planPermissionSteps,
  policyKey,
  stageVariableCommand,
  staleStatements,
  type PermissionNeed,
  type PermissionScope,
  type PermissionStatus,
  type StaleStatement,
} from '../domain/permissions.js';
import type { ChangeContext, ChangeRunner } from './change-runner.js';
import { answer, changeSummary } from './change-presenter.js';
import { holdsFor, type PermissionPlanner, type PermissionReadState } from './permission-planner.js';
import type { ApiGatewayPort } from './ports.js';
import { readApiSnapshot, type ApiSnapshot } from './route-state.js';

export interface PermissionItem {
  integrationId: string;
  routeKeys: string[];
  functionArn: string;
  qualifier?: string;
  sourceArn: string;
  statementId: string;
  status: PermissionStatus;
  /** For `unverifiable`: the call to run with credentials of the function's account. */
  command?: string;
}

export interface PermissionReport {
  apiId: string;
  scope: PermissionScope;
  items: PermissionItem[];
  /** Gatewire statements of this API that no integration needs, and no deployed stage may still need. */
  stale: { functionArn: string; qualifier?: string; statementId: string }[];
  /** Gatewire statements no integration needs, kept for stages deployed before they stopped being needed (DESIGN §4). */
  kept: {
    functionArn: string;
    qualifier?: string;
    statementId: string;
    unusedSince: string;
    stages: { stageName: string; deploymentId: string; deployedAt: string }[];
  }[];
  /** Integrations whose function or qualifier is a stage variable: not grantable ahead of time. */
  manual: { integrationId: string; functionArn: string; qualifier?: string; stageVariables: string[]; command: string }[];
}

export interface PermissionServiceDeps {
  apiGateway: ApiGatewayPort;
  permissions: PermissionPlanner;
  runChange: ChangeRunner;
  scope: PermissionScope;
  /** The region of the APIs (every source ARN names it). */
  region: string;
}

type ApiPermissionState = { snapshot: ApiSnapshot; permissions: PermissionReadState & { needs: ReturnType<PermissionPlanner['needsOf']> } };

export function createPermissionService({ apiGateway, permissions, runChange, scope, region }: PermissionServiceDeps) {
  async function readAll(apiId: string): Promise<ApiPermissionState> {
    const snapshot = await readApiSnapshot(apiGateway, apiId);
    return { snapshot, permissions: await permissions.readAll(apiId, snapshot) };
  }

  function report(apiId: string, { snapshot, permissions: state }: ApiPermissionState): PermissionReport {
    const routeKeysOf = (integrationId: string) =>
      snapshot.routes.filter((route) => integrationIdOfTarget(route.target) === integrationId).map((route) => route.routeKey);
    const items: PermissionItem[] = [];
    const manual: PermissionReport['manual'] = [];
    const needs: PermissionNeed[] = [];
    const context = { apiId, apiAccountId: state.apiAccountId, apiRegion: region, scope };
    for (const integration of snapshot.integrations) {
      const routeKeys = routeKeysOf(integration.integrationId);
      // Route scope: one need per route bound to the integration; API scope: one per integration.
      const contexts =
        scope === 'route'
          ? routeKeys.map((routeKey) => ({ ctx: { ...context, routeKey }, keys: [routeKey] }))
          : [{ ctx: context, keys: routeKeys }];
      for (const { ctx, keys } of contexts) {
        const need = permissionNeedOf(integration, ctx);
        if (!need) continue;
        if (need.kind === 'stage-variable') {
          manual.push({
            integrationId: integration.integrationId,
            functionArn: need.functionArn,
            ...(need.qualifier !== undefined ? { qualifier: need.qualifier } : {}),
            stageVariables: need.stageVariables,
            command: stageVariableCommand(need),
          });
          continue;
        }
        needs.push(need);
        const canManage = state.manageable.get(need.accountId) === true;
        const status = classifyPermission(need, state.policies.get(policyKey(need.functionArn, need.qualifier))?.statements ?? [], { canManage });
        items.push({
          integrationId: integration.integrationId,
          routeKeys: keys,
          functionArn: need.functionArn,
          ...(need.qualifier !== undefined ? { qualifier: need.qualifier } : {}),
          sourceArn: need.sourceArn,
          statementId: need.sid,
          status,
          ...(status === 'unverifiable' ? { command: addPermissionCommand(need) } : {}),
        });
      }
    }
    const statementRef = (statement: StaleStatement) => ({
      functionArn: statement.functionArn,
      ...(statement.qualifier !== undefined ? { qualifier: statement.qualifier } : {}),
      statementId: statement.sid,
    });
    const { remove, kept } = holdForStages(staleStatements(apiId, needs, state.policies), state.holds);
    return {
      apiId,
      scope,
      items,
      stale: remove.map(statementRef),
      kept: kept.map((statement) => ({ ...statementRef(statement), unusedSince: statement.unusedSince, stages: statement.stages })),
      manual,
    };
  }

  return {
    async get(apiId: string): Promise<PermissionReport> {
      return report(apiId, await readAll(apiId));
    },

    /** The report for a snapshot the caller has read already (the drift report reads the API once). */
    async reportFor(apiId: string, snapshot: ApiSnapshot): Promise<PermissionReport> {
      return report(apiId, { snapshot, permissions: await permissions.readAll(apiId, snapshot) });
    },

    async reconcile(apiId: string, context: ChangeContext) {
      return runChange<ApiPermissionState>(
        {
          action: 'permissions.reconcile',
          apiId,
          request: {},
          read: () => readAll(apiId),
          describe: (state) => report(apiId, state),
          plan: (state, options) => {
            const needs = state.permissions.needs;
            const plan = planPermissionSteps({
              apiId,
              needsBefore: needs,
              needsAfter: needs,
              policies: state.permissions.policies,
              canManage: (account) => state.permissions.manageable.get(account) === true,
              ...holdsFor(state.permissions, options),
            });
            return [...plan.adds, ...plan.removes];
          },
          // The runner read the state again after the change: the report is of the policies as they are now.
          present: (result) => answer({ ...changeSummary(result), report: report(apiId, result.after) }),
        },
        context,
      );
    },
  };
}

export type PermissionService = ReturnType<typeof createPermissionService>;
