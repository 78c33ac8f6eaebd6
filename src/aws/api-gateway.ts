// ApiGatewayPort over the SDK's ApiGatewayV2Client. Pagination, name conversion and error
// translation happen here so that services see whole lists of domain objects.
import {
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteRouteCommand,
  DeleteRouteResponseCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationResponsesCommand,
  GetIntegrationsCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  GetDeploymentCommand,
  GetStageCommand,
  GetStagesCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateRouteCommand,
  type ApiGatewayV2Client,
} from '@aws-sdk/client-apigatewayv2';
import type {
  Integration,
  IntegrationResponse,
  Route,
  RouteResponse,
  WebSocketApi,
} from '../domain/model.js';
import type { ApiGatewayPort, Stage } from '../services/ports.js';
import { createDeploymentPacer, DEFAULT_DEPLOYMENT_INTERVAL_MS, DEFAULT_DEPLOYMENT_RETRIES, type DeploymentPacerOptions } from './deployment-pacer.js';
import { sendCreate, sendWithConflictRetry } from './send.js';
import {
  API_FIELDS,
  INTEGRATION_FIELDS,
  INTEGRATION_RESPONSE_FIELDS,
  ROUTE_FIELDS,
  ROUTE_RESPONSE_FIELDS,
  toSdkNames,
  toWireNames,
} from './wire-fields.js';

type SdkStage = { StageName?: string; AutoDeploy?: boolean; DeploymentId?: string };

function stage(shape: SdkStage, stageName: string): Stage {
  return {
    stageName: shape.StageName ?? stageName,
    autoDeploy: shape.AutoDeploy === true,
    ...(shape.DeploymentId ? { deploymentId: shape.DeploymentId } : {}),
  };
}

/** The largest page API Gateway serves; fewer round trips for a 300-route API. */
const PAGE_SIZE = '500';

export interface ApiGatewayAdapterOptions {
  /** Pacing of CreateDeployment (AWS: one per 5 s per account); defaults to AWS's interval and 3 retries. */
  deployments?: Partial<DeploymentPacerOptions>;
  /**
   * The client that sends creates of routes, integrations and responses: one whose SDK retries only
   * throttling (aws/clients.ts), so that a create whose answer was lost is not made twice. Defaults to `client`.
   */
  createClient?: ApiGatewayV2Client;
}

export function createApiGatewayAdapter(client: ApiGatewayV2Client, options: ApiGatewayAdapterOptions = {}): ApiGatewayPort {
  const pacedDeployment = createDeploymentPacer({
    intervalMs: DEFAULT_DEPLOYMENT_INTERVAL_MS,
    retries: DEFAULT_DEPLOYMENT_RETRIES,
    ...options.deployments,
  });
  // Commands are typed per operation; the output is converted to wire names right after.
  const send = <T>(command: object): Promise<T> =>
    sendWithConflictRetry(() => client.send(command as never) as Promise<T>);
  const createClient = options.createClient ?? client;
  const create = <T>(command: object): Promise<T> => sendCreate(() => createClient.send(command as never) as Promise<T>);

  async function paginate<T>(
    fetchPage: (nextToken: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>,
  ): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await fetchPage(nextToken);
      all.push(...(page.Items ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return all;
  }

  const integration = (shape: object) => toWireNames<Integration>(shape, INTEGRATION_FIELDS);
  const integrationResponse = (shape: object) =>
    toWireNames<IntegrationResponse>(shape, INTEGRATION_RESPONSE_FIELDS);
  const route = (shape: object) => toWireNames<Route>(shape, ROUTE_FIELDS);
  const routeResponse = (shape: object) => toWireNames<RouteResponse>(shape, ROUTE_RESPONSE_FIELDS);
  const api = (shape: object) => toWireNames<WebSocketApi>(shape, API_FIELDS);

  return {
    async listApis() {
      const items = await paginate<object>((NextToken) =>
        send(new GetApisCommand({ MaxResults: PAGE_SIZE, NextToken })),
      );
      return items.map(api).filter((candidate) => candidate.protocolType === 'WEBSOCKET');
    },
    async getApi(apiId) {
      return api(await send<object>(new GetApiCommand({ ApiId: apiId })));
    },
    async listRoutes(apiId) {
      const items = await paginate<object>((NextToken) =>
        send(new GetRoutesCommand({ ApiId: apiId, MaxResults: PAGE_SIZE, NextToken })),
      );
      return items.map(route);
    },
    async createRoute(apiId, fields) {
      return route(await create<object>(new CreateRouteCommand({ ApiId: apiId, ...toSdkNames(fields) } as never)));
    },
    async updateRoute(apiId, routeId, fields) {
      return route(
        await send<object>(new UpdateRouteCommand({ ApiId: apiId, RouteId: routeId, ...toSdkNames(fields) })),
      );
    },
    async deleteRoute(apiId, routeId) {
      await send(new DeleteRouteCommand({ ApiId: apiId, RouteId: routeId }));
    },
    async listIntegrations(apiId) {
      const items = await paginate<object>((NextToken) =>
        send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: PAGE_SIZE, NextToken })),
      );
      return items.map(integration);
    },
    async getIntegration(apiId, integrationId) {
      return integration(
        await send<object>(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId })),
      );
    },
    async createIntegration(apiId, fields) {
      return integration(
        await create<object>(new CreateIntegrationCommand({ ApiId: apiId, ...toSdkNames(fields) } as never)),
      );
    },
    async updateIntegration(apiId, integrationId, fields) {
      return integration(
        await send<object>(
          new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId, ...toSdkNames(fields) }),
        ),
      );
    },
    async deleteIntegration(apiId, integrationId) {
      await send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }));
    },
    async listIntegrationResponses(apiId, integrationId) {
      const items = await paginate<object>((NextToken) =>
        send(
          new GetIntegrationResponsesCommand({
            ApiId: apiId,
            IntegrationId: integrationId,
            MaxResults: PAGE_SIZE,
            NextToken,
          }),
        ),
      );
      return items.map(integrationResponse);
    },
    async createIntegrationResponse(apiId, integrationId, fields) {
      return integrationResponse(
        await create<object>(
          new CreateIntegrationResponseCommand({
            ApiId: apiId,
            IntegrationId: integrationId,
            ...toSdkNames(fields),
          } as never),
        ),
      );
    },
    async updateIntegrationResponse(apiId, integrationId, integrationResponseId, fields) {
      return integrationResponse(
        await send<object>(
          new UpdateIntegrationResponseCommand({
            ApiId: apiId,
            IntegrationId: integrationId,
            IntegrationResponseId: integrationResponseId,
            ...toSdkNames(fields),
          }),
        ),
      );
    },
    async deleteIntegrationResponse(apiId, integrationId, integrationResponseId) {
      await send(
        new DeleteIntegrationResponseCommand({
          ApiId: apiId,
          IntegrationId: integrationId,
          IntegrationResponseId: integrationResponseId,
        }),
      );
    },
    async listRouteResponses(apiId, routeId) {
      const items = await paginate<object>((NextToken) =>
        send(new GetRouteResponsesCommand({ ApiId: apiId, RouteId: routeId, MaxResults: PAGE_SIZE, NextToken })),
      );
      return items.map(routeResponse);
    },
    async createRouteResponse(apiId, routeId, routeResponseKey) {
      return routeResponse(
        await create<object>(
          new CreateRouteResponseCommand({ ApiId: apiId, RouteId: routeId, RouteResponseKey: routeResponseKey }),
        ),
      );
    },
    async deleteRouteResponse(apiId, routeId, routeResponseId) {
      await send(new DeleteRouteResponseCommand({ ApiId: apiId, RouteId: routeId, RouteResponseId: routeResponseId }));
    },
    async getStage(apiId, stageName) {
      return stage(await send<SdkStage>(new GetStageCommand({ ApiId: apiId, StageName: stageName })), stageName);
    },
    async listStages(apiId) {
      const items = await paginate<SdkStage>((NextToken) => send(new GetStagesCommand({ ApiId: apiId, MaxResults: PAGE_SIZE, NextToken })));
      return items.map((item) => stage(item, ''));
    },
    async getDeployment(apiId, deploymentId) {
      const deployment = await send<{ DeploymentId?: string; CreatedDate?: Date }>(new GetDeploymentCommand({ ApiId: apiId, DeploymentId: deploymentId }));
      if (!deployment.CreatedDate) throw new Error(`GetDeployment ${apiId}/${deploymentId} returned no creation date`);
      return { deploymentId: deployment.DeploymentId ?? deploymentId, createdDate: deployment.CreatedDate.toISOString() };
    },
    async createDeployment(apiId, stageName, description) {
      const deployment = await pacedDeployment(() =>
        send<{ DeploymentId?: string }>(new CreateDeploymentCommand({ ApiId: apiId, StageName: stageName, Description: description })),
      );
      if (!deployment.DeploymentId) throw new Error(`CreateDeployment on ${apiId}/${stageName} returned no deployment id`);
      return { deploymentId: deployment.DeploymentId };
    },
  };
}
