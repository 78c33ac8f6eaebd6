// Wire shapes (restJson1, lowerCamel for API Gateway v2, PascalCase for Lambda) and the public
// types of the fake. Declared here rather than imported from src/ so that the fake describes what
// AWS sends, not what Gatewire expects: a drift between the two is exactly what tests should catch.

export type ServiceName = 'apigatewayv2' | 'lambda';
export type ProtocolType = 'WEBSOCKET' | 'HTTP';

export interface Api {
  apiId: string;
  name: string;
  protocolType: ProtocolType;
  apiEndpoint: string;
  createdDate: string;
  routeSelectionExpression?: string;
  apiKeySelectionExpression?: string;
  description?: string;
  disableExecuteApiEndpoint?: boolean;
  disableSchemaValidation?: boolean;
  version?: string;
  tags?: Record<string, string>;
}

export interface Integration {
  integrationId: string;
  integrationType: string;
  integrationUri?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  connectionType?: string;
  connectionId?: string;
  contentHandlingStrategy?: string;
  credentialsArn?: string;
  description?: string;
  passthroughBehavior?: string;
  payloadFormatVersion?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  responseParameters?: Record<string, Record<string, string>>;
  templateSelectionExpression?: string;
  timeoutInMillis?: number;
  tlsConfig?: { serverNameToVerify?: string };
  integrationResponseSelectionExpression?: string;
  apiGatewayManaged?: boolean;
}

export interface Route {
  routeId: string;
  routeKey: string;
  apiGatewayManaged?: boolean;
  apiKeyRequired?: boolean;
  authorizationScopes?: string[];
  authorizationType?: string;
  authorizerId?: string;
  modelSelectionExpression?: string;
  operationName?: string;
  requestModels?: Record<string, string>;
  requestParameters?: Record<string, { required?: boolean }>;
  routeResponseSelectionExpression?: string;
  target?: string;
}

export interface IntegrationResponse {
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
}

export interface RouteResponse {
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, { required?: boolean }>;
}

export interface Stage {
  stageName: string;
  createdDate: string;
  lastUpdatedDate: string;
  autoDeploy?: boolean;
  deploymentId?: string;
  description?: string;
  stageVariables?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface Deployment {
  deploymentId: string;
  deploymentStatus: 'DEPLOYED';
  createdDate: string;
  autoDeployed: boolean;
  description?: string;
}

/** One statement of a Lambda resource policy, as Lambda stores and returns it (§4). */
export interface PolicyStatement {
  Sid: string;
  [key: string]: unknown;
}

export interface FakeCall {
  /** `sts` calls are answered outside the operation table (see sts.ts): no faults or rate limits. */
  service: ServiceName | 'sts';
  operation: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The HTTP status sent; 0 while pending, and for a 'timeout' fault that never answers. */
  status: number;
  requestId: string;
  /** The access key id the request was signed with (SigV4 `Credential=`), when signed. */
  accessKeyId?: string;
  /** Where an API Gateway or Lambda call landed: the signing key's account, the signing scope's region (absent on STS calls). */
  accountId?: string;
  region?: string;
  /** performance.now() when the request arrived and when it was answered (absent while pending): which calls overlapped. */
  receivedAt: number;
  answeredAt?: number;
}

/**
 * `timeout`: the call is never answered (nor run); `lost-response`: the call runs, then the
 * connection is reset before the answer: what it did, the client cannot tell.
 */
export type FaultKind = 'throttle' | 'server-error' | 'concurrent-modification' | 'latency' | 'timeout' | 'lost-response';

export interface FaultRule {
  /** e.g. 'CreateIntegration'; absent = any operation. */
  operation?: string;
  /** Restrict to one service; absent = both. */
  service?: ServiceName;
  /** Fail only the nth matching call (1-based, counted from injection); absent = every matching call. */
  nth?: number;
  /** How many times it fires (default: 1 with nth, unlimited otherwise). */
  times?: number;
  fault: FaultKind;
  /** For 'latency' (then the call proceeds normally) and 'timeout' (how long the socket is held; default 10 s). */
  latencyMs?: number;
}

export interface RateLimitOptions {
  apiGatewayPerSecond: number;
  apiGatewayBurst: number;
  lambdaPerSecond: number;
}

export interface FakeAwsOptions {
  region?: string;
  accountId?: string;
  /** Routes per API (AWS default 300, §3.2). */
  routeQuota?: number;
  /** Integrations per API (AWS default 300, §3.2). */
  integrationQuota?: number;
  /** Token buckets answering 429 when exceeded (§3.2, §4); off by default. */
  rateLimit?: RateLimitOptions;
  /** Minimum gap between CreateDeployment calls per account (AWS: 5000 ms, §3.2); 0 turns the check off. */
  deploymentIntervalMs?: number;
}
