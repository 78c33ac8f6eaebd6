// The in-memory control plane of API Gateway v2: APIs and what hangs off them, with the lookups
// that answer 404 the way AWS does (reference §3.1).
import { notFound } from './errors.js';
import { uniqueId } from './ids.js';
import type { Api, Deployment, Integration, IntegrationResponse, ProtocolType, Route, RouteResponse, Stage } from './types.js';

export interface ApiRecord {
  api: Api;
  routes: Map<string, Route>;
  integrations: Map<string, Integration>;
  /** integrationId -> integrationResponseId -> response */
  integrationResponses: Map<string, Map<string, IntegrationResponse>>;
  /** routeId -> routeResponseId -> response */
  routeResponses: Map<string, Map<string, RouteResponse>>;
  stages: Map<string, Stage>;
  deployments: Map<string, Deployment>;
}

/** API ids are 10 characters (the seed page's `aabbccddee`); child resources use 7. */
export const API_ID_LENGTH = 10;
export const CHILD_ID_LENGTH = 7;

export class ApiGatewayState {
  readonly apis = new Map<string, ApiRecord>();
  /** When the account last created a deployment, for the 1-per-5-s limit (§3.2). */
  lastDeploymentAt: number | undefined;

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly routeQuota: number,
    readonly integrationQuota: number,
  ) {}

  addApi(fields: Omit<Api, 'apiId' | 'apiEndpoint' | 'createdDate'> & { protocolType: ProtocolType }, chosenId?: string): Api {
    if (chosenId !== undefined && this.apis.has(chosenId)) throw new Error(`addApi: API ${chosenId} already exists here`);
    const apiId = chosenId ?? uniqueId(API_ID_LENGTH, (id) => this.apis.has(id));
    const scheme = fields.protocolType === 'WEBSOCKET' ? 'wss' : 'https';
    const api: Api = {
      ...fields,
      apiId,
      apiEndpoint: `${scheme}://${apiId}.execute-api.${this.region}.amazonaws.com`,
      createdDate: new Date().toISOString(),
    };
    this.apis.set(apiId, {
      api,
      routes: new Map(),
      integrations: new Map(),
      integrationResponses: new Map(),
      routeResponses: new Map(),
      stages: new Map(),
      deployments: new Map(),
    });
    return api;
  }

  apiRecord(apiId: string): ApiRecord {
    const record = this.apis.get(apiId);
    // AWS names the account in this message: "Invalid API identifier specified 123456789012:abc".
    if (!record) throw notFound(`Invalid API identifier specified ${this.accountId}:${apiId}`, 'Api');
    return record;
  }

  /** A fresh 7-char id, unique among every child resource of the API. */
  newChildId(record: ApiRecord): string {
    return uniqueId(CHILD_ID_LENGTH, (id) => childIdTaken(record, id));
  }
}

export function routeOf(record: ApiRecord, routeId: string): Route {
  const route = record.routes.get(routeId);
  if (!route) throw notFound(`Invalid Route identifier specified ${routeId}`, 'Route');
  return route;
}

export function integrationOf(record: ApiRecord, integrationId: string): Integration {
  const integration = record.integrations.get(integrationId);
  if (!integration) throw notFound(`Invalid Integration identifier specified ${integrationId}`, 'Integration');
  return integration;
}

export function integrationResponsesOf(record: ApiRecord, integrationId: string): Map<string, IntegrationResponse> {
  integrationOf(record, integrationId);
  let responses = record.integrationResponses.get(integrationId);
  if (!responses) {
    responses = new Map();
    record.integrationResponses.set(integrationId, responses);
  }
  return responses;
}

export function routeResponsesOf(record: ApiRecord, routeId: string): Map<string, RouteResponse> {
  routeOf(record, routeId);
  let responses = record.routeResponses.get(routeId);
  if (!responses) {
    responses = new Map();
    record.routeResponses.set(routeId, responses);
  }
  return responses;
}

export function stageOf(record: ApiRecord, stageName: string): Stage {
  const stage = record.stages.get(stageName);
  if (!stage) throw notFound(`Invalid stage identifier specified ${stageName}`, 'Stage');
  return stage;
}

function childIdTaken(record: ApiRecord, id: string): boolean {
  if (record.routes.has(id) || record.integrations.has(id) || record.deployments.has(id)) return true;
  for (const responses of record.integrationResponses.values()) if (responses.has(id)) return true;
  for (const responses of record.routeResponses.values()) if (responses.has(id)) return true;
  return false;
}
