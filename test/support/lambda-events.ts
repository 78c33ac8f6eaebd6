// API Gateway proxy events as Lambda receives them, REST API (payload 1.0) and HTTP API (payload
// 2.0), shaped after AWS's documented examples, plus a canned Lambda context.
import { randomBytes } from 'node:crypto';

export const EVENT_ACCOUNT = '123456789012';
export const CALLER_ARN = `arn:aws:iam::${EVENT_ACCOUNT}:user/platform-deployer`;
export const ROLE_SESSION_ARN = `arn:aws:sts::${EVENT_ACCOUNT}:assumed-role/ci-deployer/session-42`;

export interface EventRequest {
  method: string;
  /** Path and query, e.g. `/v1/apis/x/routes/y/integration?dryRun=true`. */
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: unknown;
  /** Send the body base64-encoded (as API Gateway does for binary media types). */
  base64?: boolean;
  /** API Gateway's request id; a fresh one when absent. */
  requestId?: string;
}

/** REST API (v1) caller identity: IAM auth fills userArn, caller and user. */
export interface RestIdentity {
  userArn?: string | null;
  caller?: string | null;
  user?: string | null;
}

/** HTTP API (v2) authorizer context: `iam` for IAM auth, `jwt` for a JWT authorizer. */
export type HttpAuthorizer =
  | { iam: { userArn: string; accountId?: string; userId?: string } }
  | { jwt: { claims: Record<string, string>; scopes?: string[] | null } };

export function newRequestId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function split(url: string): { path: string; query: Record<string, string> | null; rawQuery: string } {
  const [path = '/', rawQuery = ''] = url.split('?', 2);
  const query = rawQuery === '' ? null : Object.fromEntries(new URLSearchParams(rawQuery));
  return { path, query, rawQuery };
}

function encodeBody(request: EventRequest): { body: string | null; isBase64Encoded: boolean; contentType?: string } {
  if (request.body === undefined) return { body: null, isBase64Encoded: false };
  const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const contentType = typeof request.body === 'string' ? undefined : 'application/json';
  return request.base64
    ? { body: Buffer.from(text).toString('base64'), isBase64Encoded: true, ...(contentType ? { contentType } : {}) }
    : { body: text, isBase64Encoded: false, ...(contentType ? { contentType } : {}) };
}

/** A REST API (v1) proxy event for a `{proxy+}` resource on stage `prod`. */
export function restApiEvent(request: EventRequest, identity: RestIdentity = {}) {
  const { path, query } = split(request.url);
  const { body, isBase64Encoded, contentType } = encodeBody(request);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'gatewire-tests',
    'X-Forwarded-For': '203.0.113.7',
    'X-Forwarded-Proto': 'https',
    ...(contentType ? { 'Content-Type': contentType } : {}),
    ...request.headers,
  };
  const requestId = request.requestId ?? newRequestId();
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: 'a1b2c3',
      resourcePath: '/{proxy+}',
      httpMethod: request.method,
      extendedRequestId: 'Ab1CdEfGhIjKlMn=',
      requestTime: '09/Apr/2026:12:34:56 +0000',
      path: `/prod${path}`,
      accountId: EVENT_ACCOUNT,
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: 'abcdef1234',
      requestTimeEpoch: 1_775_738_096_000,
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: identity.userArn ? EVENT_ACCOUNT : null,
        cognitoIdentityId: null,
        caller: identity.caller ?? null,
        sourceIp: '203.0.113.7',
        principalOrgId: null,
        accessKey: identity.userArn ? 'ASIAEXAMPLEKEY' : null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: identity.userArn ?? null,
        userAgent: 'gatewire-tests',
        user: identity.user ?? null,
      },
      domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      apiId: 'abcdef1234',
    },
    body,
    isBase64Encoded,
  };
}

/** An HTTP API (v2) proxy event on the `$default` stage and route. */
export function httpApiEvent(request: EventRequest, authorizer?: HttpAuthorizer) {
  const { path, query, rawQuery } = split(request.url);
  const { body, isBase64Encoded, contentType } = encodeBody(request);
  const requestId = request.requestId ?? newRequestId();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: rawQuery,
    headers: {
      accept: 'application/json',
      host: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'gatewire-tests',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      ...(contentType ? { 'content-type': contentType } : {}),
      ...request.headers,
    },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: EVENT_ACCOUNT,
      apiId: 'abcdef1234',
      ...(authorizer ? { authorizer } : {}),
      domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method: request.method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'gatewire-tests' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: '09/Apr/2026:12:34:56 +0000',
      timeEpoch: 1_775_738_096_000,
    },
    ...(body === null ? {} : { body }),
    isBase64Encoded,
  };
}

/** The Lambda context object the Node.js runtime passes (what the adapter and the app may read). */
export function lambdaContext(functionName = 'gatewire', remainingMs = 30_000) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${EVENT_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: newRequestId(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/04/09/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
