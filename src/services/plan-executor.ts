// Runs a plan's steps in order through the API Gateway and Lambda ports. When a step fails, the
// completed steps are undone in reverse (DESIGN §3 step 7), and the outcome says what is left.
import { isDomainError, type DomainError } from '../domain/errors.js';
import { resolveReferences, type AwsCallSpec, type PlanStep } from '../domain/plan.js';
import type { AddPermissionInput, ApiGatewayPort, LambdaPort } from './ports.js';

export interface ExecutionPorts {
  apiGateway: ApiGatewayPort;
  lambda: LambdaPort;
}

export type ExecutionOutcome =
  | { status: 'succeeded'; createdIds: Map<string, string> }
  | { status: 'failed' | 'rolled_back' | 'partial'; error: unknown; failedStep: string; leftovers: string[] };

export async function executePlan(ports: ExecutionPorts, steps: PlanStep[]): Promise<ExecutionOutcome> {
  const createdIds = new Map<string, string>();
  const completed: PlanStep[] = [];
  for (const step of steps) {
    try {
      const createdId = await callAws(ports, step, createdIds);
      if (createdId !== undefined) createdIds.set(step.id, createdId);
      completed.push(step);
    } catch (error) {
      if (completed.length === 0) return { status: 'failed', error, failedStep: step.id, leftovers: [] };
      const leftovers = await compensate(ports, completed, createdIds);
      return { status: leftovers.length === 0 ? 'rolled_back' : 'partial', error, failedStep: step.id, leftovers };
    }
  }
  return { status: 'succeeded', createdIds };
}

async function compensate(ports: ExecutionPorts, completed: PlanStep[], createdIds: Map<string, string>): Promise<string[]> {
  const leftovers: string[] = [];
  for (const step of [...completed].reverse()) {
    if (!step.compensation) {
      leftovers.push(`${step.id}: ${step.description} (cannot be undone)`);
      continue;
    }
    try {
      await callAws(ports, step.compensation, createdIds);
    } catch (error) {
      const reason = isDomainError(error) ? (error as DomainError).aws?.error ?? error.message : String(error);
      leftovers.push(`${step.id}: ${step.description} (undo failed: ${reason})`);
    }
  }
  return leftovers;
}

/** Makes one AWS call; returns the id of what it created, if anything. */
async function callAws({ apiGateway, lambda }: ExecutionPorts, call: AwsCallSpec, createdIds: Map<string, string>): Promise<string | undefined> {
  const { apiId, integrationId, routeId, integrationResponseId, routeResponseId, ...fields } = resolveReferences(
    call.params,
    createdIds,
  ) as Record<string, any>;
  switch (call.operation) {
    case 'CreateIntegration':
      return (await apiGateway.createIntegration(apiId, fields as never)).integrationId;
    case 'UpdateIntegration':
      await apiGateway.updateIntegration(apiId, integrationId, fields);
      return undefined;
    case 'DeleteIntegration':
      await apiGateway.deleteIntegration(apiId, integrationId);
      return undefined;
    case 'CreateRoute':
      return (await apiGateway.createRoute(apiId, fields as never)).routeId;
    case 'UpdateRoute':
      await apiGateway.updateRoute(apiId, routeId, fields);
      return undefined;
    case 'DeleteRoute':
      await apiGateway.deleteRoute(apiId, routeId);
      return undefined;
    case 'CreateIntegrationResponse':
      return (await apiGateway.createIntegrationResponse(apiId, integrationId, fields as never)).integrationResponseId;
    case 'UpdateIntegrationResponse':
      await apiGateway.updateIntegrationResponse(apiId, integrationId, integrationResponseId, fields);
      return undefined;
    case 'DeleteIntegrationResponse':
      await apiGateway.deleteIntegrationResponse(apiId, integrationId, integrationResponseId);
      return undefined;
    case 'CreateRouteResponse':
      return (await apiGateway.createRouteResponse(apiId, routeId, fields.routeResponseKey)).routeResponseId;
    case 'DeleteRouteResponse':
      await apiGateway.deleteRouteResponse(apiId, routeId, routeResponseId);
      return undefined;
    case 'AddPermission':
      await lambda.addPermission(fields as AddPermissionInput);
      return undefined;
    case 'RemovePermission':
      await lambda.removePermission(fields.functionName, fields.qualifier, fields.statementId);
      return undefined;
    case 'CreateDeployment':
      return (await apiGateway.createDeployment(apiId, fields.stageName, fields.description)).deploymentId;
    default:
      // A new operation must be taught here, never skipped as if it had succeeded.
      throw new Error(`The plan executor cannot run ${String((call as AwsCallSpec).operation)}`);
  }
}
