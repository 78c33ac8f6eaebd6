// What API Gateway checks and fills in on CreateIntegration / UpdateIntegration (reference §1).
// Section numbers below refer to /work/shared/reference/aws-websocket-integrations.md.
import {
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringMap,
  withoutUndefined,
  type JsonObject,
} from './body-fields.js';
import { badRequest, enumViolation } from './errors.js';
import type { Integration, ProtocolType } from './types.js';

export const INTEGRATION_TYPES = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'] as const;
const HTTP_API_INTEGRATION_TYPES = ['AWS_PROXY', 'HTTP_PROXY'];
const CONNECTION_TYPES = ['INTERNET', 'VPC_LINK'] as const;
export const CONTENT_HANDLING_STRATEGIES = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const;
const PASSTHROUGH_BEHAVIORS = ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'] as const;

const TIMEOUT_MIN_MS = 50;
/** §1.1: the model allows 30000, but WebSocket APIs cap (and default) at 29000. */
const WEBSOCKET_TIMEOUT_MAX_MS = 29_000;
const HTTP_API_TIMEOUT_MAX_MS = 30_000;

/** The fields a caller may send; everything else in the body is ignored, as AWS does. */
export type IntegrationFields = Omit<Integration, 'integrationId' | 'integrationResponseSelectionExpression' | 'apiGatewayManaged'>;

const STRING_FIELDS = [
  'integrationType',
  'integrationUri',
  'integrationMethod',
  'integrationSubtype',
  'connectionType',
  'connectionId',
  'contentHandlingStrategy',
  'credentialsArn',
  'description',
  'passthroughBehavior',
  'payloadFormatVersion',
  'templateSelectionExpression',
] as const;

export function readIntegrationFields(body: JsonObject): Partial<IntegrationFields> {
  const fields: Partial<IntegrationFields> = {};
  for (const field of STRING_FIELDS) fields[field] = optionalString(body, field, badRequest);
  fields.requestParameters = optionalStringMap(body, 'requestParameters', badRequest);
  fields.requestTemplates = optionalStringMap(body, 'requestTemplates', badRequest);
  fields.responseParameters = optionalObject(body, 'responseParameters', badRequest) as IntegrationFields['responseParameters'];
  fields.tlsConfig = optionalObject(body, 'tlsConfig', badRequest) as IntegrationFields['tlsConfig'];
  fields.timeoutInMillis = optionalNumber(body, 'timeoutInMillis', badRequest);
  return withoutUndefined(fields);
}

/**
 * Validates `fields` (a create body, or the stored integration merged with a PATCH body) for an API
 * of `protocol`, and returns it with AWS's defaults and derived fields filled in.
 */
export function applyIntegrationRules(protocol: ProtocolType, fields: Partial<IntegrationFields>): Omit<Integration, 'integrationId'> {
  const type = fields.integrationType;
  if (type === undefined) throw badRequest('integrationType is required');
  checkEnum('integrationType', type, INTEGRATION_TYPES);
  checkEnum('connectionType', fields.connectionType, CONNECTION_TYPES);
  checkEnum('contentHandlingStrategy', fields.contentHandlingStrategy, CONTENT_HANDLING_STRATEGIES);
  checkEnum('passthroughBehavior', fields.passthroughBehavior, PASSTHROUGH_BEHAVIORS);
  return protocol === 'WEBSOCKET' ? webSocketIntegration(type, fields) : httpApiIntegration(type, fields);
}

function webSocketIntegration(type: string, fields: Partial<IntegrationFields>): Omit<Integration, 'integrationId'> {
  // §1.3: fields that exist only for HTTP APIs are refused on a WebSocket API.
  for (const field of ['integrationSubtype', 'tlsConfig', 'responseParameters'] as const) {
    if (fields[field] !== undefined) throw badRequest(`${field} is not supported for WebSocket APIs`);
  }
  if (fields.payloadFormatVersion !== undefined && fields.payloadFormatVersion !== '1.0') {
    throw badRequest(`Invalid payloadFormatVersion specified: ${fields.payloadFormatVersion}. WebSocket APIs support only 1.0`);
  }
  checkTimeout(fields.timeoutInMillis, WEBSOCKET_TIMEOUT_MAX_MS, 'WebSocket');
  checkConnection(fields);
  checkUri(type, fields.integrationUri);
  checkWebSocketRequestParameters(fields.requestParameters);
  const integrationMethod = defaultedMethod(type, fields);
  // §1.2: WebSocket defaults, including WHEN_NO_MATCH on AWS_PROXY (moto gets this wrong, §8).
  return withoutUndefined({
    ...fields,
    integrationType: type,
    integrationMethod,
    connectionType: fields.connectionType ?? 'INTERNET',
    payloadFormatVersion: fields.payloadFormatVersion ?? '1.0',
    timeoutInMillis: fields.timeoutInMillis ?? WEBSOCKET_TIMEOUT_MAX_MS,
    passthroughBehavior: fields.passthroughBehavior ?? 'WHEN_NO_MATCH',
    integrationResponseSelectionExpression: integrationResponseSelectionExpressionFor(type),
  });
}

function httpApiIntegration(type: string, fields: Partial<IntegrationFields>): Omit<Integration, 'integrationId'> {
  // §1.1: AWS, HTTP and MOCK, and the template/passthrough fields, are WebSocket-only.
  if (!HTTP_API_INTEGRATION_TYPES.includes(type)) throw badRequest(`Integration type ${type} is not supported for HTTP APIs`);
  for (const field of ['passthroughBehavior', 'contentHandlingStrategy', 'requestTemplates', 'templateSelectionExpression'] as const) {
    if (fields[field] !== undefined) throw badRequest(`${field} is not supported for HTTP APIs`);
  }
  checkTimeout(fields.timeoutInMillis, HTTP_API_TIMEOUT_MAX_MS, 'HTTP');
  checkConnection(fields);
  if (type === 'HTTP_PROXY') checkUri(type, fields.integrationUri);
  else if (fields.integrationUri === undefined && fields.integrationSubtype === undefined) {
    throw badRequest('integrationUri is required for AWS_PROXY integrations');
  }
  const payloadFormatVersion = fields.payloadFormatVersion ?? (type === 'HTTP_PROXY' ? '1.0' : undefined);
  if (payloadFormatVersion === undefined) throw badRequest('payloadFormatVersion is required for AWS_PROXY integrations on HTTP APIs');
  if (!['1.0', '2.0'].includes(payloadFormatVersion)) throw badRequest(`Invalid payloadFormatVersion specified: ${payloadFormatVersion}`);
  return withoutUndefined({
    ...fields,
    integrationType: type,
    integrationMethod: defaultedMethod(type, fields),
    connectionType: fields.connectionType ?? 'INTERNET',
    payloadFormatVersion,
    timeoutInMillis: fields.timeoutInMillis ?? HTTP_API_TIMEOUT_MAX_MS,
  });
}

function checkEnum(field: string, value: string | undefined, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value)) throw enumViolation(field, value, allowed);
}

function checkTimeout(timeout: number | undefined, max: number, apiKind: string): void {
  if (timeout !== undefined && (timeout < TIMEOUT_MIN_MS || timeout > max)) {
    throw badRequest(`Invalid timeoutInMillis specified: ${timeout}. It must be between ${TIMEOUT_MIN_MS} and ${max} ms for ${apiKind} APIs`);
  }
}

/** §1.3: VPC_LINK needs a connectionId (a link id or `${stageVariables.x}`); INTERNET takes none. */
function checkConnection(fields: Partial<IntegrationFields>): void {
  const connectionType = fields.connectionType ?? 'INTERNET';
  if (connectionType === 'VPC_LINK' && !fields.connectionId) throw badRequest('connectionId must be specified when connectionType is VPC_LINK');
  if (connectionType === 'INTERNET' && fields.connectionId) throw badRequest('connectionId must not be specified when connectionType is INTERNET');
}

const LAMBDA_INVOCATION_URI = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/arn:aws[a-z-]*:lambda:[^/]+\/invocations$/;
/** §5: a bare function ARN is accepted too (it only breaks the console). */
const BARE_LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[^:/]+:function:[^/]+$/;
const AWS_SERVICE_URI = /^arn:aws[a-z-]*:apigateway:[^:]+:[^:]+:(path|action)\/.+$/;
const HTTP_URL = /^https?:\/\/[^\s/]+/;

export function isLambdaUri(uri: string | undefined): boolean {
  return uri !== undefined && (LAMBDA_INVOCATION_URI.test(uri) || BARE_LAMBDA_ARN.test(uri));
}

function checkUri(type: string, uri: string | undefined): void {
  if (type === 'MOCK') return;
  if (uri === undefined || uri === '') throw badRequest(`integrationUri is required for ${type} integrations`);
  const valid =
    type === 'AWS_PROXY' ? isLambdaUri(uri) : type === 'AWS' ? isLambdaUri(uri) || AWS_SERVICE_URI.test(uri) : HTTP_URL.test(uri);
  if (!valid) throw badRequest(`Invalid integrationUri specified for ${type} integration: ${uri}`);
}

/** §1.1: IntegrationMethod is required except for MOCK; AWS fills in POST for Lambda URIs [obs]. */
function defaultedMethod(type: string, fields: Partial<IntegrationFields>): string | undefined {
  if (fields.integrationMethod !== undefined) return fields.integrationMethod;
  if (type === 'MOCK') return undefined;
  if (isLambdaUri(fields.integrationUri)) return 'POST';
  throw badRequest(`integrationMethod is required for ${type} integrations`);
}

/** §1.2: statuscode for MOCK/HTTP, the Lambda errorMessage for AWS, absent for the proxy types. */
function integrationResponseSelectionExpressionFor(type: string): string | undefined {
  if (type === 'MOCK' || type === 'HTTP') return '${integration.response.statuscode}';
  if (type === 'AWS') return '${integration.response.body.errorMessage}';
  return undefined;
}

const WS_PARAMETER_KEY = /^integration\.request\.(header|querystring|path)\.[a-zA-Z0-9._$-]+$/;
const WS_PARAMETER_VALUES = [
  /^route\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[a-zA-Z0-9._$-]+$/,
  /^route\.request\.body(\..+)?$/,
  /^context\.[a-zA-Z0-9._$-]+$/,
  /^stageVariables\.[a-zA-Z0-9._$-]+$/,
  /^'[^']*'$/,
];

/** §1.1: the WebSocket request-parameter grammar (HTTP APIs use a different one). */
function checkWebSocketRequestParameters(parameters: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (!WS_PARAMETER_KEY.test(key)) throw badRequest(`Invalid mapping expression specified in requestParameters key: ${key}`);
    if (!WS_PARAMETER_VALUES.some((pattern) => pattern.test(value))) {
      throw badRequest(`Invalid mapping expression specified in requestParameters[${key}]: ${value}`);
    }
  }
}
