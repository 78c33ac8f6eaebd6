// APIs, stages and deployments, and the full list of API Gateway v2 operations the fake serves.
import { asObject, optionalBoolean, optionalString, optionalStringMap, requiredString, withoutUndefined } from './body-fields.js';
import { stageOf, type ApiGatewayState } from './api-gateway-state.js';
import { apiGatewayError, badRequest, conflict, enumViolation, notFound } from './errors.js';
import { createIntegrationOperations } from './integration-handlers.js';
import { created, defineOperation, label, noContent, ok, type Operation } from './operations.js';
import { paginate } from './pagination.js';
import { createRouteOperations } from './route-handlers.js';
import type { Deployment, ProtocolType, Stage } from './types.js';

const PROTOCOL_TYPES = ['WEBSOCKET', 'HTTP'];

export interface ApiGatewayOperationOptions {
  /** Minimum gap between deployments per account (§3.2: 1 per 5 s); 0 turns the check off. */
  deploymentIntervalMs: number;
  now: () => number;
}

export function createApiGatewayOperations(state: ApiGatewayState, options: ApiGatewayOperationOptions): Operation[] {
  return [
    ...createApiOperations(state),
    ...[...createRouteOperations(state), ...createIntegrationOperations(state)].map((operation) => autoDeploying(state, operation, options)),
    ...createStageOperations(state, options),
  ];
}

/**
 * A write to an API's routes or integrations, followed (when it succeeded) by a deployment on every
 * stage of the API with autoDeploy, as AWS does (`autoDeployed: true`; not paced by the 1-per-5-s
 * limit, which is for CreateDeployment calls). AWS deploys a moment later; the fake at once.
 */
function autoDeploying(state: ApiGatewayState, operation: Operation, options: ApiGatewayOperationOptions): Operation {
  if (operation.method === 'GET') return operation;
  return {
    ...operation,
    handle(request) {
      const result = operation.handle(request);
      const apiId = request.params.ApiId;
      const record = apiId === undefined ? undefined : state.apis.get(apiId);
      for (const stage of record?.stages.values() ?? []) {
        if (!stage.autoDeploy) continue;
        const deployment: Deployment = {
          deploymentId: state.newChildId(record!),
          deploymentStatus: 'DEPLOYED',
          createdDate: new Date(options.now()).toISOString(),
          autoDeployed: true,
        };
        record!.deployments.set(deployment.deploymentId, deployment);
        stage.deploymentId = deployment.deploymentId;
        stage.lastUpdatedDate = deployment.createdDate;
      }
      return result;
    },
  };
}

function createApiOperations(state: ApiGatewayState): Operation[] {
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation =>
    defineOperation('apigatewayv2', name, method, path, handle);
  return [
    op('CreateApi', 'POST', '/v2/apis', (request) => {
      const body = asObject(request.body, badRequest);
      const name = requiredString(body, 'name', badRequest);
      const protocolType = requiredString(body, 'protocolType', badRequest);
      if (!PROTOCOL_TYPES.includes(protocolType)) throw enumViolation('protocolType', protocolType, PROTOCOL_TYPES);
      const routeSelectionExpression = optionalString(body, 'routeSelectionExpression', badRequest);
      if (protocolType === 'WEBSOCKET' && !routeSelectionExpression) {
        throw badRequest('routeSelectionExpression is required for WebSocket APIs');
      }
      const api = state.addApi(
        withoutUndefined({
          name,
          protocolType: protocolType as ProtocolType,
          routeSelectionExpression: routeSelectionExpression ?? '${request.method} ${request.path}',
          apiKeySelectionExpression: optionalString(body, 'apiKeySelectionExpression', badRequest) ?? '$request.header.x-api-key',
          description: optionalString(body, 'description', badRequest),
          disableExecuteApiEndpoint: optionalBoolean(body, 'disableExecuteApiEndpoint', badRequest) ?? false,
          disableSchemaValidation: optionalBoolean(body, 'disableSchemaValidation', badRequest),
          version: optionalString(body, 'version', badRequest),
          tags: optionalStringMap(body, 'tags', badRequest),
        }),
      );
      return created(api);
    }),
    op('GetApis', 'GET', '/v2/apis', (request) => ok(paginate([...state.apis.values()].map((record) => record.api), request.query))),
    op('GetApi', 'GET', '/v2/apis/{ApiId}', (request) => ok(state.apiRecord(label(request, 'ApiId')).api)),
    op('DeleteApi', 'DELETE', '/v2/apis/{ApiId}', (request) => {
      state.apis.delete(state.apiRecord(label(request, 'ApiId')).api.apiId);
      return noContent();
    }),
  ];
}

function createStageOperations(state: ApiGatewayState, options: ApiGatewayOperationOptions): Operation[] {
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation =>
    defineOperation('apigatewayv2', name, method, path, handle);
  return [
    op('CreateStage', 'POST', '/v2/apis/{ApiId}/stages', (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const body = asObject(request.body, badRequest);
      const stageName = requiredString(body, 'stageName', badRequest);
      if (record.stages.has(stageName)) throw conflict(`Stage ${stageName} already exists`);
      const deploymentId = optionalString(body, 'deploymentId', badRequest);
      if (deploymentId !== undefined && !record.deployments.has(deploymentId)) {
        throw badRequest(`Invalid deployment identifier specified ${deploymentId}`);
      }
      const now = new Date(options.now()).toISOString();
      const stage: Stage = withoutUndefined({
        stageName,
        createdDate: now,
        lastUpdatedDate: now,
        autoDeploy: optionalBoolean(body, 'autoDeploy', badRequest) ?? false,
        deploymentId,
        description: optionalString(body, 'description', badRequest),
        stageVariables: optionalStringMap(body, 'stageVariables', badRequest),
        tags: optionalStringMap(body, 'tags', badRequest),
      });
      record.stages.set(stageName, stage);
      return created(stage);
    }),
    op('GetStages', 'GET', '/v2/apis/{ApiId}/stages', (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(paginate([...record.stages.values()], request.query));
    }),
    op('GetStage', 'GET', '/v2/apis/{ApiId}/stages/{StageName}', (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(stageOf(record, label(request, 'StageName')));
    }),
    op('GetDeployment', 'GET', '/v2/apis/{ApiId}/deployments/{DeploymentId}', (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const deploymentId = label(request, 'DeploymentId');
      const deployment = record.deployments.get(deploymentId);
      if (!deployment) throw notFound(`Invalid Deployment identifier specified ${deploymentId}`, 'Deployment');
      return ok(deployment);
    }),
    op('CreateDeployment', 'POST', '/v2/apis/{ApiId}/deployments', (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const body = asObject(request.body, badRequest);
      const now = options.now();
      // §3.2: CreateDeployment is limited to 1 per 5 s per account, on top of the overall rate.
      if (options.deploymentIntervalMs > 0 && state.lastDeploymentAt !== undefined && now - state.lastDeploymentAt < options.deploymentIntervalMs) {
        throw apiGatewayError(429, 'TooManyRequestsException', 'Too Many Requests', { limitType: 'CreateDeployment' });
      }
      const stageName = optionalString(body, 'stageName', badRequest);
      const stage = stageName === undefined ? undefined : stageOf(record, stageName);
      // [inf] A stage with autoDeploy deploys itself; AWS refuses manual deployments to it.
      if (stage?.autoDeploy) throw badRequest(`Deployment for stage ${stage.stageName} cannot be created because it has autoDeploy enabled`);
      const deployment: Deployment = withoutUndefined({
        deploymentId: state.newChildId(record),
        deploymentStatus: 'DEPLOYED' as const,
        createdDate: new Date(now).toISOString(),
        autoDeployed: false,
        description: optionalString(body, 'description', badRequest),
      });
      record.deployments.set(deployment.deploymentId, deployment);
      if (stage) {
        stage.deploymentId = deployment.deploymentId;
        stage.lastUpdatedDate = deployment.createdDate;
      }
      state.lastDeploymentAt = now;
      return created(deployment);
    }),
  ];
}
