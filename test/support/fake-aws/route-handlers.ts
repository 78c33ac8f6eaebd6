// Routes and route responses (reference §2).
import {
  asObject,
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
  withoutUndefined,
  type JsonObject,
} from './body-fields.js';
import { integrationOf, routeOf, routeResponsesOf, type ApiGatewayState, type ApiRecord } from './api-gateway-state.js';
import { badRequest, conflict, enumViolation, notFound } from './errors.js';
import { created, defineOperation, label, noContent, ok, type Operation } from './operations.js';
import { paginate } from './pagination.js';
import type { Route, RouteResponse } from './types.js';

const WEBSOCKET_RESERVED_KEYS = ['$connect', '$disconnect', '$default'];
const WEBSOCKET_AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM'];
const HTTP_API_AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'];

type RouteFields = Omit<Route, 'routeId' | 'apiGatewayManaged'>;

export function createRouteOperations(state: ApiGatewayState): Operation[] {
  const base = '/v2/apis/{ApiId}/routes';
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation =>
    defineOperation('apigatewayv2', name, method, path, handle);

  return [
    op('CreateRoute', 'POST', base, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const body = asObject(request.body, badRequest);
      const fields = readRouteFields(body);
      const routeKey = requiredString(body, 'routeKey', badRequest);
      // §3.2: 300 routes per API; AWS reports the quota as a 409.
      if (record.routes.size >= state.routeQuota) throw conflict('Maximum number of Routes for this API has been reached');
      const route = withoutUndefined<Route>({
        apiKeyRequired: false,
        authorizationType: 'NONE',
        ...fields,
        routeKey,
        routeId: state.newChildId(record),
      });
      checkRoute(record, route);
      record.routes.set(route.routeId, route);
      return created(route);
    }),
    op('GetRoutes', 'GET', base, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(paginate([...record.routes.values()], request.query));
    }),
    op('GetRoute', 'GET', `${base}/{RouteId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(routeOf(record, label(request, 'RouteId')));
    }),
    op('UpdateRoute', 'PATCH', `${base}/{RouteId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const existing = routeOf(record, label(request, 'RouteId'));
      const patch = readRouteFields(asObject(request.body, badRequest));
      const route = withoutUndefined<Route>({ ...existing, ...patch });
      // An empty target detaches the route from its integration (what Terraform sends to unset it).
      if (route.target === '') delete route.target;
      // Likewise for the response selection expression (inferred: the console clears it this way).
      if (route.routeResponseSelectionExpression === '') delete route.routeResponseSelectionExpression;
      checkRoute(record, route);
      record.routes.set(route.routeId, route);
      return ok(route);
    }),
    op('DeleteRoute', 'DELETE', `${base}/{RouteId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const route = routeOf(record, label(request, 'RouteId'));
      record.routes.delete(route.routeId);
      record.routeResponses.delete(route.routeId);
      return noContent();
    }),

    op('CreateRouteResponse', 'POST', `${base}/{RouteId}/routeresponses`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = routeResponsesOf(record, label(request, 'RouteId'));
      const body = asObject(request.body, badRequest);
      const routeResponseKey = requiredString(body, 'routeResponseKey', badRequest);
      // §2: `$default` is the only route response key API Gateway supports.
      if (routeResponseKey !== '$default') throw badRequest(`Invalid routeResponseKey specified: ${routeResponseKey}. Only $default is supported`);
      if ([...responses.values()].some((response) => response.routeResponseKey === routeResponseKey)) {
        throw conflict(`Route response with key ${routeResponseKey} already exists for this route`);
      }
      const response = withoutUndefined<RouteResponse>({
        routeResponseId: state.newChildId(record),
        routeResponseKey,
        modelSelectionExpression: optionalString(body, 'modelSelectionExpression', badRequest),
        responseModels: optionalStringMap(body, 'responseModels', badRequest),
        responseParameters: optionalObject(body, 'responseParameters', badRequest) as RouteResponse['responseParameters'],
      });
      responses.set(response.routeResponseId, response);
      return created(response);
    }),
    op('GetRouteResponses', 'GET', `${base}/{RouteId}/routeresponses`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(paginate([...routeResponsesOf(record, label(request, 'RouteId')).values()], request.query));
    }),
    op('GetRouteResponse', 'GET', `${base}/{RouteId}/routeresponses/{RouteResponseId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(routeResponseOf(routeResponsesOf(record, label(request, 'RouteId')), label(request, 'RouteResponseId')));
    }),
    op('DeleteRouteResponse', 'DELETE', `${base}/{RouteId}/routeresponses/{RouteResponseId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = routeResponsesOf(record, label(request, 'RouteId'));
      responses.delete(routeResponseOf(responses, label(request, 'RouteResponseId')).routeResponseId);
      return noContent();
    }),
  ];
}

function readRouteFields(body: JsonObject): Partial<RouteFields> {
  return withoutUndefined<Partial<RouteFields>>({
    routeKey: optionalString(body, 'routeKey', badRequest),
    apiKeyRequired: optionalBoolean(body, 'apiKeyRequired', badRequest),
    authorizationScopes: optionalStringList(body, 'authorizationScopes', badRequest),
    authorizationType: optionalString(body, 'authorizationType', badRequest),
    authorizerId: optionalString(body, 'authorizerId', badRequest),
    modelSelectionExpression: optionalString(body, 'modelSelectionExpression', badRequest),
    operationName: optionalString(body, 'operationName', badRequest),
    requestModels: optionalStringMap(body, 'requestModels', badRequest),
    requestParameters: optionalObject(body, 'requestParameters', badRequest) as Route['requestParameters'],
    routeResponseSelectionExpression: optionalString(body, 'routeResponseSelectionExpression', badRequest),
    target: optionalString(body, 'target', badRequest),
  });
}

/** The checks shared by CreateRoute and UpdateRoute, on the route as it would be stored. */
function checkRoute(record: ApiRecord, route: Route): void {
  const webSocket = record.api.protocolType === 'WEBSOCKET';
  if (route.routeKey === '') throw badRequest('routeKey must not be empty');
  // §2: custom WebSocket keys must not start with `$`; only the three reserved keys do.
  if (webSocket && route.routeKey.startsWith('$') && !WEBSOCKET_RESERVED_KEYS.includes(route.routeKey)) {
    throw badRequest(`Invalid route key specified: ${route.routeKey}. Route keys starting with $ are reserved`);
  }
  for (const other of record.routes.values()) {
    if (other.routeId !== route.routeId && other.routeKey === route.routeKey) {
      // anomalyco/sst#5031: the exact wording AWS uses.
      throw conflict(`Route with key ${route.routeKey} already exists for this API`);
    }
  }
  const authorizationTypes = webSocket ? WEBSOCKET_AUTHORIZATION_TYPES : HTTP_API_AUTHORIZATION_TYPES;
  if (route.authorizationType !== undefined && !authorizationTypes.includes(route.authorizationType)) {
    throw enumViolation('authorizationType', route.authorizationType, authorizationTypes);
  }
  // §2: on WebSocket APIs authorization applies to `$connect` only.
  if (webSocket && route.authorizationType !== undefined && route.authorizationType !== 'NONE' && route.routeKey !== '$connect') {
    throw badRequest('Currently, authorization is restricted to the $connect route only');
  }
  if (route.target !== undefined) checkTarget(record, route.target);
}

/** §2: a target is `integrations/{id}`, 1..128 characters, naming an integration of this API. */
function checkTarget(record: ApiRecord, target: string): void {
  const match = /^integrations\/([^/]+)$/.exec(target);
  if (!match?.[1] || target.length > 128) throw badRequest(`Invalid target specified: ${target}. It must be of the form integrations/{integrationId}`);
  integrationOf(record, match[1]);
}

function routeResponseOf(responses: Map<string, RouteResponse>, routeResponseId: string): RouteResponse {
  const response = responses.get(routeResponseId);
  if (!response) throw notFound(`Invalid RouteResponse identifier specified ${routeResponseId}`, 'RouteResponse');
  return response;
}
