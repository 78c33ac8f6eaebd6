// The API Gateway v2 resources Gatewire works with, in AWS's wire names (lowerCamel).
// Only the WebSocket side of the API is modelled: HTTP-API-only fields have no place here.

export const INTEGRATION_TYPES = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const CONNECTION_TYPES = ['INTERNET', 'VPC_LINK'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const CONTENT_HANDLING_STRATEGIES = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const;
export type ContentHandlingStrategy = (typeof CONTENT_HANDLING_STRATEGIES)[number];

export const PASSTHROUGH_BEHAVIORS = ['WHEN_NO_MATCH', 'NEVER', 'WHEN_NO_TEMPLATES'] as const;
export type PassthroughBehavior = (typeof PASSTHROUGH_BEHAVIORS)[number];

/** WebSocket integration timeout bounds (AWS docs; the model allows 30000, WebSocket APIs cap at 29000). */
export const TIMEOUT_MIN_MS = 50;
export const TIMEOUT_MAX_MS = 29_000;
export const TIMEOUT_DEFAULT_MS = 29_000;

/** Every field a caller may set on a WebSocket integration (CreateIntegration / UpdateIntegration). */
export interface IntegrationFields {
  integrationType: IntegrationType;
  integrationUri?: string;
  integrationMethod?: string;
  connectionType?: ConnectionType;
  connectionId?: string;
  contentHandlingStrategy?: ContentHandlingStrategy;
  credentialsArn?: string;
  description?: string;
  passthroughBehavior?: PassthroughBehavior;
  payloadFormatVersion?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  timeoutInMillis?: number;
}

/** The fields of IntegrationFields, for code that walks them (comparison, SDK name mapping). */
export const INTEGRATION_FIELD_NAMES = [
  'integrationType',
  'integrationUri',
  'integrationMethod',
  'connectionType',
  'connectionId',
  'contentHandlingStrategy',
  'credentialsArn',
  'description',
  'passthroughBehavior',
  'payloadFormatVersion',
  'requestParameters',
  'requestTemplates',
  'templateSelectionExpression',
  'timeoutInMillis',
] as const satisfies readonly (keyof IntegrationFields)[];

/** An integration as API Gateway returns it. */
export interface Integration extends IntegrationFields {
  integrationId: string;
  integrationResponseSelectionExpression?: string;
  apiGatewayManaged?: boolean;
}

export interface IntegrationResponseFields {
  integrationResponseKey: string;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  contentHandlingStrategy?: ContentHandlingStrategy;
  responseParameters?: Record<string, string>;
}

export interface IntegrationResponse extends IntegrationResponseFields {
  integrationResponseId: string;
}

/** The fields of a route Gatewire writes (CreateRoute / UpdateRoute). */
export interface RouteFields {
  routeKey?: string;
  target?: string;
  routeResponseSelectionExpression?: string;
}

export interface Route {
  routeId: string;
  routeKey: string;
  target?: string;
  routeResponseSelectionExpression?: string;
  authorizationType?: string;
  apiGatewayManaged?: boolean;
}

export interface RouteResponse {
  routeResponseId: string;
  routeResponseKey: string;
}

export interface WebSocketApi {
  apiId: string;
  name: string;
  protocolType: string;
  routeSelectionExpression?: string;
  apiEndpoint?: string;
  description?: string;
}

/** `integrations/{id}` is the only target form API Gateway accepts on a route. */
export function targetFor(integrationId: string): string {
  return `integrations/${integrationId}`;
}

export function integrationIdOfTarget(target: string | undefined): string | undefined {
  const match = /^integrations\/(.+)$/.exec(target ?? '');
  return match?.[1];
}
