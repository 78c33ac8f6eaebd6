// Cross-field rules of a WebSocket integration in its raw wire form (reference §1.1, §1.3, §5).
// Every rule is as strict as API Gateway and never stricter: where AWS's behaviour is unknown, the
// field is accepted. All violations are collected; nothing here throws.
// The single-field checks are exported so that the intent form (intent-to-integration.ts) applies
// the very same rules under its own paths.
import {
  CONNECTION_TYPES,
  CONTENT_HANDLING_STRATEGIES,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  TIMEOUT_MAX_MS,
  TIMEOUT_MIN_MS,
} from './model.js';
import type { IntegrationFields } from './model.js';
import type { FieldViolation } from './errors.js';
import {
  STAGE_VARIABLE_SOURCE,
  parseFunctionReference,
  parseLambdaInvocationUri,
} from './lambda-reference.js';
import type { LambdaInvocationUri } from './lambda-reference.js';

export const INTEGRATION_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export const ROUTE_KEYS_RESERVED = ['$connect', '$disconnect', '$default'] as const;
export const ROUTE_KEY_MAX_LENGTH = 128;
/** Documented size of a request parameter value (reference §1.1). */
export const REQUEST_PARAMETER_VALUE_MAX_LENGTH = 512;
/** WebSocket APIs take only payload format 1.0; 2.0 is for HTTP APIs (reference §1.1). */
export const WEBSOCKET_PAYLOAD_FORMAT_VERSION = '1.0';

/** What the caller knows beyond the fields themselves; each rule that needs a missing fact is skipped. */
export interface IntegrationRuleContext {
  /** The account that owns the API (for the same-account rule of stage-variable Lambda URIs). */
  accountId?: string;
}

export interface AwsServiceUri {
  partition: string;
  region: string;
  service: string;
  kind: 'action' | 'path';
}

const PARTITION = 'aws[a-zA-Z-]*';
const SV = STAGE_VARIABLE_SOURCE;
// arn:{partition}:apigateway:{region}:{subdomain.service|service}:{action|path}/{...} (reference §1.1)
const AWS_SERVICE_URI = new RegExp(String.raw`^arn:(${PARTITION}):apigateway:([a-z0-9-]+):([a-zA-Z0-9._-]+):(action|path)/(\S+)$`);
const CALLER_CREDENTIALS_ARN = new RegExp(String.raw`^arn:${PARTITION}:iam::\*:user/\*$`);
// A role (with an optional path), or a stage variable in its place (reference §5).
const ROLE_ARN = new RegExp(String.raw`^arn:${PARTITION}:iam::\d{12}:(?:role/(?:[\w+=,.@/-]|${SV})+|${SV})$`);
const VPC_LINK_ID = new RegExp(String.raw`^(?:[a-zA-Z0-9]+|${SV})$`);
const BARE_LAMBDA_ARN = new RegExp(String.raw`^arn:${PARTITION}:lambda:`);
// Meant as a Lambda invocation URI, even when malformed: not to be mistaken for another service's path.
const LAMBDA_INVOCATION_SHAPE = /:lambda:path\/2015-03-31\/functions\/.*\/invocations$/;

const PARAMETER_NAME = '[a-zA-Z0-9._$-]+';
const REQUEST_PARAMETER_KEY = new RegExp(`^integration\\.request\\.(?:header|querystring|path)\\.${PARAMETER_NAME}$`);
const REQUEST_PARAMETER_VALUES = [
  new RegExp(`^route\\.request\\.(?:header|querystring|multivalueheader|multivaluequerystring)\\.${PARAMETER_NAME}$`),
  /^route\.request\.body(?:\..+)?$/s,
  new RegExp(`^context\\.${PARAMETER_NAME}$`),
  new RegExp(`^stageVariables\\.${PARAMETER_NAME}$`),
  /^'.*'$/s,
];

const LAMBDA_URI_FORM = 'arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations';

// ---------------------------------------------------------------------------------------------
// Whole-integration validation

export function validateIntegrationFields(
  fields: IntegrationFields,
  context: IntegrationRuleContext = {},
): FieldViolation[] {
  return [
    ...integrationTypeViolations(fields),
    ...integrationUriViolations(fields, context),
    ...integrationMethodViolations(fields),
    ...connectionViolations(fields),
    ...optionalFieldViolations(fields),
    ...requestParameterViolations(fields.requestParameters, '/requestParameters'),
    ...httpApiOnlyFieldViolations(fields),
  ];
}

function integrationTypeViolations(fields: IntegrationFields): FieldViolation[] {
  if (fields.integrationType === undefined) return [violation('/integrationType', 'is required')];
  const problem = enumProblem(fields.integrationType, INTEGRATION_TYPES);
  return problem ? [violation('/integrationType', problem)] : [];
}

function integrationUriViolations(fields: IntegrationFields, context: IntegrationRuleContext): FieldViolation[] {
  const uri = fields.integrationUri;
  const path = '/integrationUri';
  switch (fields.integrationType) {
    case 'MOCK':
      // A mock answers from API Gateway itself; there is no backend to address (reference §1.3).
      return uri === undefined ? [] : [violation(path, 'must be absent for a MOCK integration: a mock has no backend')];
    case 'AWS_PROXY': {
      // On WebSocket APIs AWS_PROXY is Lambda proxy only (reference §1.3).
      if (uri === undefined) return [violation(path, `is required for AWS_PROXY: the Lambda invocation URI ${LAMBDA_URI_FORM}`)];
      const lambda = parseLambdaInvocationUri(uri);
      if (!lambda) return [violation(path, notLambdaUriMessage(uri, 'AWS_PROXY (Lambda proxy on WebSocket APIs)'))];
      return lambdaUriViolations(lambda, context, path);
    }
    case 'AWS': {
      if (uri === undefined) {
        return [violation(path, `is required for AWS: a Lambda invocation URI or an AWS service URI (${awsServiceUriForm()})`)];
      }
      const target = classifyAwsUri(uri);
      if (target.kind === 'lambda') return lambdaUriViolations(target.lambda, context, path);
      if (target.kind === 'malformed-lambda') return [violation(path, notLambdaUriMessage(uri, 'a Lambda custom integration'))];
      if (target.kind === 'invalid') return [violation(path, `must be an AWS service URI (${awsServiceUriForm()}) or a Lambda invocation URI`)];
      // Another service's action: API Gateway needs a role to call it (reference §1.3).
      if (fields.credentialsArn === undefined) {
        return [
          violation(
            '/credentialsArn',
            'is required for an AWS service integration that is not Lambda: API Gateway calls the service with this role',
          ),
        ];
      }
      return [];
    }
    case 'HTTP':
    case 'HTTP_PROXY': {
      if (uri === undefined) return [violation(path, `is required for ${fields.integrationType}: the backend's http(s) URL`)];
      const problem = httpUrlProblem(uri);
      return problem ? [violation(path, problem)] : [];
    }
    default:
      return [];
  }
}

function lambdaUriViolations(lambda: LambdaInvocationUri, context: IntegrationRuleContext, path: string): FieldViolation[] {
  if (!lambda.usesStageVariables) {
    const parsed = parseFunctionReference(lambda.functionArn);
    return parsed.ok ? [] : [violation(path, `has an invalid function ARN: ${parsed.message}`)];
  }
  // A function reached through stage variables must be in the API's account (reference §5).
  if (context.accountId !== undefined && lambda.accountId !== context.accountId) {
    return [
      violation(
        path,
        `uses stage variables, so it must name a function in the API's account ${context.accountId}, not ${lambda.accountId}`,
      ),
    ];
  }
  return [];
}

function integrationMethodViolations(fields: IntegrationFields): FieldViolation[] {
  const method = fields.integrationMethod;
  const path = '/integrationMethod';
  if (method !== undefined) {
    const problem = integrationMethodProblem(method);
    if (problem) return [violation(path, problem)];
  }
  const target = fields.integrationUri === undefined ? undefined : classifyAwsUri(fields.integrationUri);
  switch (fields.integrationType) {
    case 'HTTP':
    case 'HTTP_PROXY':
      return method === undefined ? [violation(path, `is required for ${fields.integrationType} integrations`)] : [];
    case 'AWS_PROXY':
      // Lambda's Invoke is a POST; AWS fills in POST when the method is omitted (reference §1.1).
      return method !== undefined && method !== 'POST' ? [violation(path, 'must be POST for a Lambda integration')] : [];
    case 'AWS':
      if (target?.kind === 'lambda') {
        return method !== undefined && method !== 'POST' ? [violation(path, 'must be POST for a Lambda integration')] : [];
      }
      return method === undefined && target?.kind === 'service'
        ? [violation(path, 'is required for an AWS service integration')]
        : [];
    default:
      return [];
  }
}

export type AwsUriTarget =
  | { kind: 'lambda'; lambda: LambdaInvocationUri }
  | { kind: 'malformed-lambda' }
  | { kind: 'service'; service: AwsServiceUri }
  | { kind: 'invalid' };

/** What an AWS integration's URI points at: a Lambda function, another service, or nothing valid. */
export function classifyAwsUri(uri: string): AwsUriTarget {
  const lambda = parseLambdaInvocationUri(uri);
  if (lambda) return { kind: 'lambda', lambda };
  if (BARE_LAMBDA_ARN.test(uri) || LAMBDA_INVOCATION_SHAPE.test(uri)) return { kind: 'malformed-lambda' };
  const service = parseAwsServiceUri(uri);
  return service ? { kind: 'service', service } : { kind: 'invalid' };
}

function connectionViolations(fields: IntegrationFields): FieldViolation[] {
  const { connectionType, connectionId, integrationType } = fields;
  if (connectionType !== undefined) {
    const problem = enumProblem(connectionType, CONNECTION_TYPES);
    if (problem) return [violation('/connectionType', problem)];
  }
  if (connectionType !== 'VPC_LINK') {
    // INTERNET (the default) reaches the backend directly; a connection id would be meaningless (reference §1.3).
    return connectionId === undefined
      ? []
      : [violation('/connectionId', 'must be absent unless connectionType is VPC_LINK')];
  }
  const found: FieldViolation[] = [];
  if (integrationType !== 'HTTP' && integrationType !== 'HTTP_PROXY' && integrationType !== undefined) {
    found.push(violation('/connectionType', `VPC_LINK works only with HTTP or HTTP_PROXY integrations, not ${integrationType}`));
  }
  if (connectionId === undefined) {
    found.push(violation('/connectionId', 'is required with connectionType VPC_LINK: a REST API (v1) VPC link id or ${stageVariables.name}'));
  } else {
    const problem = vpcLinkIdProblem(connectionId);
    if (problem) found.push(violation('/connectionId', problem));
  }
  return found;
}

function optionalFieldViolations(fields: IntegrationFields): FieldViolation[] {
  const found: FieldViolation[] = [];
  const check = (path: string, problem: string | undefined): void => {
    if (problem) found.push(violation(path, problem));
  };
  if (fields.credentialsArn !== undefined) check('/credentialsArn', credentialsArnProblem(fields.credentialsArn));
  if (fields.timeoutInMillis !== undefined) check('/timeoutInMillis', timeoutProblem(fields.timeoutInMillis));
  if (fields.payloadFormatVersion !== undefined && fields.payloadFormatVersion !== WEBSOCKET_PAYLOAD_FORMAT_VERSION) {
    check('/payloadFormatVersion', `must be ${WEBSOCKET_PAYLOAD_FORMAT_VERSION} on WebSocket APIs (2.0 is for HTTP APIs)`);
  }
  if (fields.passthroughBehavior !== undefined) {
    check('/passthroughBehavior', enumProblem(fields.passthroughBehavior, PASSTHROUGH_BEHAVIORS));
  }
  if (fields.contentHandlingStrategy !== undefined) {
    check('/contentHandlingStrategy', enumProblem(fields.contentHandlingStrategy, CONTENT_HANDLING_STRATEGIES));
  }
  return found;
}

// Fields of HTTP APIs that a WebSocket integration must not carry (reference §1.3). The type has no
// room for them, but an untyped caller may still send them.
const HTTP_API_ONLY_FIELDS = ['integrationSubtype', 'responseParameters', 'tlsConfig'] as const;

function httpApiOnlyFieldViolations(fields: IntegrationFields): FieldViolation[] {
  const record = fields as unknown as Record<string, unknown>;
  return HTTP_API_ONLY_FIELDS.filter((name) => record[name] !== undefined).map((name) =>
    violation(`/${name}`, 'is an HTTP API field; WebSocket integrations do not accept it'),
  );
}

// ---------------------------------------------------------------------------------------------
// Single-field checks: each returns a message, or undefined when the value is fine.

export function timeoutProblem(value: number): string | undefined {
  // The model allows 30000, but WebSocket APIs cap at 29000 (reference §0.1, §3.2).
  if (!Number.isInteger(value) || value < TIMEOUT_MIN_MS || value > TIMEOUT_MAX_MS) {
    return `must be an integer between ${TIMEOUT_MIN_MS} and ${TIMEOUT_MAX_MS} ms (WebSocket APIs)`;
  }
  return undefined;
}

export function integrationMethodProblem(method: string): string | undefined {
  return (INTEGRATION_METHODS as readonly string[]).includes(method)
    ? undefined
    : `must be one of ${INTEGRATION_METHODS.join(', ')} (upper case)`;
}

/**
 * An http(s) URL; ports 80, 443 or above 1024 (reference §1.3); `${stageVariables.x}` allowed in the
 * host, path and query (reference §5).
 */
export function httpUrlProblem(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return 'must be an absolute http:// or https:// URL';
  const parsed = parseUrlWithStageVariables(url);
  if (!parsed || parsed.hostname === '') {
    return 'is not a valid URL (stage variables such as ${stageVariables.host} are allowed in the host, path and query)';
  }
  if (parsed.port !== '') {
    const port = Number(parsed.port);
    if (port !== 80 && port !== 443 && port <= 1024) return `uses port ${port}: API Gateway allows only 80, 443 or ports above 1024`;
  }
  return undefined;
}

/** An IAM role ARN, or a stage variable standing for the role (reference §5). */
export function roleArnProblem(arn: string): string | undefined {
  if (ROLE_ARN.test(arn)) return undefined;
  return 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/name';
}

/** A role to assume, or `arn:{partition}:iam::*:user/*` for the caller's own credentials (reference §1.1). */
export function credentialsArnProblem(arn: string): string | undefined {
  if (ROLE_ARN.test(arn) || CALLER_CREDENTIALS_ARN.test(arn)) return undefined;
  return (
    'must be an IAM role ARN (arn:aws:iam::123456789012:role/name) or arn:aws:iam::*:user/* ' +
    "to invoke with the caller's credentials"
  );
}

export function isCallerCredentialsArn(arn: string): boolean {
  return CALLER_CREDENTIALS_ARN.test(arn);
}

export function callerCredentialsArn(partition: string): string {
  return `arn:${partition}:iam::*:user/*`;
}

/** WebSocket APIs accept only REST API (v1) VPC links; V2 links fail (reference §0.2). */
export function vpcLinkIdProblem(id: string): string | undefined {
  if (VPC_LINK_ID.test(id)) return undefined;
  return 'must be a REST API (v1) VPC link id (letters and digits) or ${stageVariables.name}';
}

export function parseAwsServiceUri(uri: string): AwsServiceUri | undefined {
  const match = AWS_SERVICE_URI.exec(uri);
  if (!match) return undefined;
  return { partition: match[1]!, region: match[2]!, service: match[3]!, kind: match[4] as 'action' | 'path' };
}

export function awsServiceUriForm(): string {
  return 'arn:{partition}:apigateway:{region}:{service}:{action|path}/{...}';
}

export function requestParameterViolations(
  parameters: Record<string, string> | undefined,
  basePath: string,
): FieldViolation[] {
  if (parameters === undefined) return [];
  const found: FieldViolation[] = [];
  for (const [key, value] of Object.entries(parameters)) {
    const path = `${basePath}/${escapePointerSegment(key)}`;
    if (!REQUEST_PARAMETER_KEY.test(key)) {
      found.push(violation(path, `key "${key}" must be integration.request.{header|querystring|path}.{name}`));
    }
    const problem = requestParameterValueProblem(value);
    if (problem) found.push(violation(path, problem));
  }
  return found;
}

function requestParameterValueProblem(value: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'value must not be empty';
  if (value.length > REQUEST_PARAMETER_VALUE_MAX_LENGTH) {
    return `value must be at most ${REQUEST_PARAMETER_VALUE_MAX_LENGTH} characters`;
  }
  if (REQUEST_PARAMETER_VALUES.some((pattern) => pattern.test(value))) return undefined;
  return (
    `value "${value}" must be route.request.{header|querystring|multivalueheader|multivaluequerystring}.{name}, ` +
    "route.request.body.{JSONPath}, context.{variable}, stageVariables.{variable} or a 'quoted' static value"
  );
}

/** `$default`, or a regular expression between slashes such as `/2\d\d/` (reference §2). */
export function validateIntegrationResponseKey(key: string): string | undefined {
  if (key === '$default') return undefined;
  if (key.length < 2 || !key.startsWith('/') || !key.endsWith('/')) {
    return String.raw`must be $default or a regular expression between slashes, such as /2\d\d/`;
  }
  try {
    new RegExp(key.slice(1, -1));
    return undefined;
  } catch (error) {
    return `has a regular expression that does not compile: ${(error as Error).message}`;
  }
}

/** `$connect`, `$disconnect`, `$default`, or a custom key that does not start with `$` (reference §2). */
export function validateRouteKey(key: string): string | undefined {
  if (key.length === 0 || key.length > ROUTE_KEY_MAX_LENGTH) return `must be 1 to ${ROUTE_KEY_MAX_LENGTH} characters`;
  if (key.startsWith('$') && !(ROUTE_KEYS_RESERVED as readonly string[]).includes(key)) {
    return 'must be $connect, $disconnect, $default or a custom key that does not start with $';
  }
  return undefined;
}

export function enumProblem(value: string, allowed: readonly string[]): string | undefined {
  return allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}`;
}

/** One segment of a JSON pointer (RFC 6901): response keys such as `/2\d\d/` contain slashes. */
export function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function violation(path: string, message: string): FieldViolation {
  return { path, message };
}

function notLambdaUriMessage(uri: string, what: string): string {
  if (BARE_LAMBDA_ARN.test(uri)) {
    return (
      `must be the full Lambda invocation URI for ${what}, not a bare function ARN (it breaks the console, ` +
      `aws/aws-cdk#13679): ${LAMBDA_URI_FORM}`
    );
  }
  const embedded = /\/functions\/(.*)\/invocations$/.exec(uri)?.[1];
  const parsed = embedded === undefined ? undefined : parseFunctionReference(embedded);
  const detail = parsed && !parsed.ok ? ` (${parsed.message})` : '';
  return `must be a Lambda invocation URI for ${what}: ${LAMBDA_URI_FORM}${detail}`;
}

function parseUrlWithStageVariables(url: string): URL | undefined {
  // A stage variable may stand for a host name, a path segment or a port; try a stand-in for each.
  for (const standIn of ['stagevariable', '8080']) {
    try {
      return new URL(url.replace(new RegExp(SV, 'g'), standIn));
    } catch {
      // try the next stand-in
    }
  }
  return undefined;
}
