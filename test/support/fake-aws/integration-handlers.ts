// Integrations and integration responses (reference §1 and §2).
import { asObject, optionalString, optionalStringMap, requiredString, withoutUndefined, type JsonObject } from './body-fields.js';
import { integrationOf, integrationResponsesOf, type ApiGatewayState, type ApiRecord } from './api-gateway-state.js';
import { badRequest, conflict, enumViolation, notFound } from './errors.js';
import { applyIntegrationRules, CONTENT_HANDLING_STRATEGIES, readIntegrationFields } from './integration-rules.js';
import { created, defineOperation, label, noContent, ok, type Operation } from './operations.js';
import { paginate } from './pagination.js';
import type { Integration, IntegrationResponse } from './types.js';

type IntegrationResponseFields = Omit<IntegrationResponse, 'integrationResponseId'>;

export function createIntegrationOperations(state: ApiGatewayState): Operation[] {
  const base = '/v2/apis/{ApiId}/integrations';
  const responsesPath = `${base}/{IntegrationId}/integrationresponses`;
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation =>
    defineOperation('apigatewayv2', name, method, path, handle);

  return [
    op('CreateIntegration', 'POST', base, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const fields = applyIntegrationRules(record.api.protocolType, readIntegrationFields(asObject(request.body, badRequest)));
      // §3.2 and §7: leaked integrations exhaust this quota; AWS reports it as a 409.
      if (record.integrations.size >= state.integrationQuota) throw conflict('Maximum number of Integrations for this API has been reached');
      const integration: Integration = { integrationId: state.newChildId(record), ...fields };
      record.integrations.set(integration.integrationId, integration);
      return created(integration);
    }),
    op('GetIntegrations', 'GET', base, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(paginate([...record.integrations.values()], request.query));
    }),
    op('GetIntegration', 'GET', `${base}/{IntegrationId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(integrationOf(record, label(request, 'IntegrationId')));
    }),
    op('UpdateIntegration', 'PATCH', `${base}/{IntegrationId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const existing = integrationOf(record, label(request, 'IntegrationId'));
      // A PATCH: omitted fields keep their values; the derived selection expression is recomputed.
      const { integrationId, integrationResponseSelectionExpression: _derived, apiGatewayManaged, ...current } = existing;
      const patch = readIntegrationFields(asObject(request.body, badRequest));
      const requestParameters = mergeRequestParameters(current.requestParameters, patch.requestParameters);
      // An empty description clears it (live-probed by go-to-k/cdkd#1163); the fake then omits it.
      const description = patch.description === '' ? undefined : (patch.description ?? current.description);
      const fields = applyIntegrationRules(record.api.protocolType, { ...current, ...patch, requestParameters, description });
      const integration: Integration = withoutUndefined({ integrationId, apiGatewayManaged, ...fields });
      record.integrations.set(integrationId, integration);
      return ok(integration);
    }),
    op('DeleteIntegration', 'DELETE', `${base}/{IntegrationId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const integration = integrationOf(record, label(request, 'IntegrationId'));
      // §0.3: not in the model, but AWS refuses to delete an integration a route still targets.
      const referencing = routesTargeting(record, integration.integrationId);
      if (referencing.length > 0) {
        throw conflict(`Cannot delete Integration because it is referenced by the following Routes: [${referencing.join(', ')}]`);
      }
      record.integrations.delete(integration.integrationId);
      record.integrationResponses.delete(integration.integrationId);
      return noContent();
    }),

    op('CreateIntegrationResponse', 'POST', responsesPath, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = integrationResponsesOf(record, label(request, 'IntegrationId'));
      if (record.api.protocolType !== 'WEBSOCKET') throw badRequest('Integration responses are supported only for WebSocket APIs');
      const body = asObject(request.body, badRequest);
      const response: IntegrationResponse = withoutUndefined({
        ...readIntegrationResponseFields(body),
        integrationResponseKey: requiredString(body, 'integrationResponseKey', badRequest),
        integrationResponseId: state.newChildId(record),
      });
      checkIntegrationResponse(responses, response);
      responses.set(response.integrationResponseId, response);
      return created(response);
    }),
    op('GetIntegrationResponses', 'GET', responsesPath, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      return ok(paginate([...integrationResponsesOf(record, label(request, 'IntegrationId')).values()], request.query));
    }),
    op('GetIntegrationResponse', 'GET', `${responsesPath}/{IntegrationResponseId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = integrationResponsesOf(record, label(request, 'IntegrationId'));
      return ok(integrationResponseOf(responses, label(request, 'IntegrationResponseId')));
    }),
    op('UpdateIntegrationResponse', 'PATCH', `${responsesPath}/{IntegrationResponseId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = integrationResponsesOf(record, label(request, 'IntegrationId'));
      const existing = integrationResponseOf(responses, label(request, 'IntegrationResponseId'));
      const response: IntegrationResponse = withoutUndefined({ ...existing, ...readIntegrationResponseFields(asObject(request.body, badRequest)) });
      checkIntegrationResponse(responses, response);
      responses.set(response.integrationResponseId, response);
      return ok(response);
    }),
    op('DeleteIntegrationResponse', 'DELETE', `${responsesPath}/{IntegrationResponseId}`, (request) => {
      const record = state.apiRecord(label(request, 'ApiId'));
      const responses = integrationResponsesOf(record, label(request, 'IntegrationId'));
      responses.delete(integrationResponseOf(responses, label(request, 'IntegrationResponseId')).integrationResponseId);
      return noContent();
    }),
  ];
}

/**
 * UpdateIntegration merges `requestParameters` into the integration's map: a key sent with a value
 * sets it, a key sent with "" is removed, a key not sent is kept (docs/decisions.md, "In-place
 * edits"; Terraform's aws_apigatewayv2_integration update relies on it). No key left: no map.
 */
function mergeRequestParameters(
  current: Record<string, string> | undefined,
  patch: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (patch === undefined) return current;
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function routesTargeting(record: ApiRecord, integrationId: string): string[] {
  const target = `integrations/${integrationId}`;
  return [...record.routes.values()].filter((route) => route.target === target).map((route) => route.routeId);
}

function readIntegrationResponseFields(body: JsonObject): Partial<IntegrationResponseFields> {
  return withoutUndefined<Partial<IntegrationResponseFields>>({
    integrationResponseKey: optionalString(body, 'integrationResponseKey', badRequest),
    contentHandlingStrategy: optionalString(body, 'contentHandlingStrategy', badRequest),
    responseParameters: optionalStringMap(body, 'responseParameters', badRequest),
    responseTemplates: optionalStringMap(body, 'responseTemplates', badRequest),
    templateSelectionExpression: optionalString(body, 'templateSelectionExpression', badRequest),
  });
}

/** §2: the key is `$default` or a slash-wrapped regex, unique per integration. */
function checkIntegrationResponse(responses: Map<string, IntegrationResponse>, response: IntegrationResponse): void {
  const key = response.integrationResponseKey;
  if (key !== '$default' && !isSlashWrappedRegex(key)) {
    throw badRequest(`Invalid integrationResponseKey specified: ${key}. It must be $default or a regular expression wrapped in slashes, such as /2\\d\\d/`);
  }
  const strategy = response.contentHandlingStrategy;
  if (strategy !== undefined && !(CONTENT_HANDLING_STRATEGIES as readonly string[]).includes(strategy)) {
    throw enumViolation('contentHandlingStrategy', strategy, CONTENT_HANDLING_STRATEGIES);
  }
  for (const other of responses.values()) {
    if (other.integrationResponseId !== response.integrationResponseId && other.integrationResponseKey === key) {
      throw conflict(`Integration response with key ${key} already exists for this integration`);
    }
  }
}

function isSlashWrappedRegex(key: string): boolean {
  if (key.length < 3 || !key.startsWith('/') || !key.endsWith('/')) return false;
  try {
    new RegExp(key.slice(1, -1));
    return true;
  } catch {
    return false;
  }
}

function integrationResponseOf(responses: Map<string, IntegrationResponse>, integrationResponseId: string): IntegrationResponse {
  const response = responses.get(integrationResponseId);
  if (!response) throw notFound(`Invalid IntegrationResponse identifier specified ${integrationResponseId}`, 'IntegrationResponse');
  return response;
}
