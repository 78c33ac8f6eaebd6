// The intent form (DESIGN §2) checked and turned into the raw integration API Gateway holds.
// Validation applies the raw form's single-field rules (integration-rules.ts) under the intent's
// own paths, plus the rules that only make sense for the intent (one credential, not two; a
// Lambda URI belongs in a lambda backend; …). Every violation is reported at once.
import { TIMEOUT_DEFAULT_MS, CONTENT_HANDLING_STRATEGIES, PASSTHROUGH_BEHAVIORS } from './model.js';
import type { IntegrationFields, IntegrationResponseFields } from './model.js';
import type { FieldViolation } from './errors.js';
import type { Backend, RouteIntegrationIntent } from './intent.js';
import {
  awsServiceUriForm,
  callerCredentialsArn,
  classifyAwsUri,
  enumProblem,
  escapePointerSegment,
  httpUrlProblem,
  integrationMethodProblem,
  isCallerCredentialsArn,
  requestParameterViolations,
  roleArnProblem,
  timeoutProblem,
  validateIntegrationResponseKey,
  violation,
  vpcLinkIdProblem,
  WEBSOCKET_PAYLOAD_FORMAT_VERSION,
} from './integration-rules.js';
import { lambdaInvocationUri, parseFunctionReference, partitionOfRegion } from './lambda-reference.js';

const BACKEND_TYPES = ['lambda', 'http', 'mock', 'aws', 'vpcLink'] as const;

/** What the caller resolved outside the domain: the API's region and, for a lambda backend, the function ARN. */
export interface ResolvedTargets {
  apiRegion: string;
  functionArn?: string;
}

// ---------------------------------------------------------------------------------------------
// Validation

export function validateIntent(intent: RouteIntegrationIntent): FieldViolation[] {
  return [
    ...backendViolations(intent.backend),
    ...sharedFieldViolations(intent),
    ...requestParameterViolations(intent.requestParameters, '/requestParameters'),
    ...responseViolations(intent),
  ];
}

function backendViolations(backend: Backend | undefined): FieldViolation[] {
  if (backend === undefined) return [violation('/backend', 'is required')];
  switch (backend.type) {
    case 'lambda':
      return [
        ...functionViolations(backend.function),
        ...credentialViolations(backend, { required: false }),
      ];
    case 'http':
      return [...urlViolations(backend.url), ...methodViolations(backend.method)];
    case 'vpcLink':
      return [...vpcLinkIdViolations(backend.vpcLinkId), ...urlViolations(backend.url), ...methodViolations(backend.method)];
    case 'aws':
      return [
        ...awsServiceUriViolations(backend.uri),
        ...methodViolations(backend.method),
        // Another service's action needs credentials to call it (reference §1.3).
        ...credentialViolations(backend, { required: true }),
      ];
    case 'mock':
      return [];
    default:
      return [violation('/backend/type', enumProblem(String((backend as { type?: unknown }).type), BACKEND_TYPES)!)];
  }
}

function functionViolations(reference: string | undefined): FieldViolation[] {
  if (reference === undefined || reference === '') {
    return [violation('/backend/function', 'is required: a function name, name:alias, name:version or ARN')];
  }
  const parsed = parseFunctionReference(reference);
  return parsed.ok ? [] : [violation('/backend/function', parsed.message)];
}

function credentialViolations(
  backend: { invokeWithCallerCredentials?: boolean; executionRoleArn?: string },
  options: { required: boolean },
): FieldViolation[] {
  const path = '/backend/executionRoleArn';
  const { executionRoleArn, invokeWithCallerCredentials } = backend;
  if (invokeWithCallerCredentials === true && executionRoleArn !== undefined) {
    // Both end up in the one credentialsArn field (reference §1.1): the integration can hold only one.
    return [violation(path, "must not be set together with invokeWithCallerCredentials: choose the caller's credentials or a role")];
  }
  if (executionRoleArn !== undefined) {
    if (isCallerCredentialsArn(executionRoleArn)) {
      return [violation(path, "is the caller-credentials form: set invokeWithCallerCredentials to true instead")];
    }
    const problem = roleArnProblem(executionRoleArn);
    return problem ? [violation(path, problem)] : [];
  }
  if (options.required && invokeWithCallerCredentials !== true) {
    return [
      violation(
        path,
        'is required for an AWS service backend (or set invokeWithCallerCredentials to true): ' +
          'API Gateway calls the service with these credentials',
      ),
    ];
  }
  return [];
}

function urlViolations(url: string | undefined): FieldViolation[] {
  if (url === undefined) return [violation('/backend/url', 'is required')];
  const problem = httpUrlProblem(url);
  return problem ? [violation('/backend/url', problem)] : [];
}

function methodViolations(method: string | undefined): FieldViolation[] {
  if (method === undefined) return [violation('/backend/method', 'is required')];
  const problem = integrationMethodProblem(method);
  return problem ? [violation('/backend/method', problem)] : [];
}

function vpcLinkIdViolations(id: string | undefined): FieldViolation[] {
  if (id === undefined) return [violation('/backend/vpcLinkId', 'is required')];
  const problem = vpcLinkIdProblem(id);
  return problem ? [violation('/backend/vpcLinkId', problem)] : [];
}

function awsServiceUriViolations(uri: string | undefined): FieldViolation[] {
  const path = '/backend/uri';
  if (uri === undefined) return [violation(path, `is required: ${awsServiceUriForm()}`)];
  const target = classifyAwsUri(uri);
  if (target.kind === 'lambda' || target.kind === 'malformed-lambda') {
    // The lambda backend builds the URI and reconciles the invoke permission; an aws backend would not.
    return [violation(path, 'points at a Lambda function: use a lambda backend (proxy: false for a Lambda custom integration)')];
  }
  return target.kind === 'service' ? [] : [violation(path, `must be an AWS service URI: ${awsServiceUriForm()}`)];
}

function sharedFieldViolations(intent: RouteIntegrationIntent): FieldViolation[] {
  const found: FieldViolation[] = [];
  const check = (path: string, problem: string | undefined): void => {
    if (problem) found.push(violation(path, problem));
  };
  if (intent.timeoutInMillis !== undefined) check('/timeoutInMillis', timeoutProblem(intent.timeoutInMillis));
  if (intent.passthroughBehavior !== undefined) {
    check('/passthroughBehavior', enumProblem(intent.passthroughBehavior, PASSTHROUGH_BEHAVIORS));
  }
  if (intent.contentHandlingStrategy !== undefined) {
    check('/contentHandlingStrategy', enumProblem(intent.contentHandlingStrategy, CONTENT_HANDLING_STRATEGIES));
  }
  return found;
}

function responseViolations(intent: RouteIntegrationIntent): FieldViolation[] {
  const found: FieldViolation[] = [];
  for (const [key, response] of Object.entries(intent.responses ?? {})) {
    const path = `/responses/${escapePointerSegment(key)}`;
    const keyProblem = validateIntegrationResponseKey(key);
    if (keyProblem) found.push(violation(path, `key ${keyProblem}`));
    if (response.contentHandlingStrategy !== undefined) {
      const problem = enumProblem(response.contentHandlingStrategy, CONTENT_HANDLING_STRATEGIES);
      if (problem) found.push(violation(`${path}/contentHandlingStrategy`, problem));
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Conversion

/**
 * The raw integration AWS should hold for this intent, complete with the values AWS fills in by
 * default on WebSocket APIs (reference §1.2), so that it compares equal to GetIntegration's answer
 * when nothing changed. Call it only on an intent `validateIntent` accepted.
 */
export function intentToIntegration(intent: RouteIntegrationIntent, resolved: ResolvedTargets): IntegrationFields {
  const fields: IntegrationFields = {
    ...backendFields(intent.backend, resolved),
    timeoutInMillis: intent.timeoutInMillis ?? TIMEOUT_DEFAULT_MS,
    passthroughBehavior: intent.passthroughBehavior ?? 'WHEN_NO_MATCH',
    payloadFormatVersion: WEBSOCKET_PAYLOAD_FORMAT_VERSION,
  };
  if (intent.requestTemplates !== undefined) fields.requestTemplates = { ...intent.requestTemplates };
  if (intent.templateSelectionExpression !== undefined) fields.templateSelectionExpression = intent.templateSelectionExpression;
  if (intent.contentHandlingStrategy !== undefined) fields.contentHandlingStrategy = intent.contentHandlingStrategy;
  if (intent.requestParameters !== undefined) fields.requestParameters = { ...intent.requestParameters };
  if (intent.description !== undefined) fields.description = intent.description;
  return fields;
}

type BackendFields = Pick<
  IntegrationFields,
  'integrationType' | 'integrationUri' | 'integrationMethod' | 'connectionType' | 'connectionId' | 'credentialsArn'
>;

function backendFields(backend: Backend, resolved: ResolvedTargets): BackendFields {
  switch (backend.type) {
    case 'lambda':
      return withCredentials(
        {
          integrationType: backend.proxy === false ? 'AWS' : 'AWS_PROXY',
          integrationUri: lambdaInvocationUri(resolved.apiRegion, functionArnOf(backend.function, resolved)),
          // Lambda's Invoke is a POST, and AWS stores POST even when it is omitted (reference §1.1).
          integrationMethod: 'POST',
          connectionType: 'INTERNET',
        },
        backend,
        resolved.apiRegion,
      );
    case 'http':
      return {
        integrationType: backend.proxy === false ? 'HTTP' : 'HTTP_PROXY',
        integrationUri: backend.url,
        integrationMethod: backend.method,
        connectionType: 'INTERNET',
      };
    case 'vpcLink':
      return {
        integrationType: backend.proxy === false ? 'HTTP' : 'HTTP_PROXY',
        integrationUri: backend.url,
        integrationMethod: backend.method,
        connectionType: 'VPC_LINK',
        connectionId: backend.vpcLinkId,
      };
    case 'aws':
      return withCredentials(
        { integrationType: 'AWS', integrationUri: backend.uri, integrationMethod: backend.method, connectionType: 'INTERNET' },
        backend,
        resolved.apiRegion,
      );
    case 'mock':
      return { integrationType: 'MOCK', connectionType: 'INTERNET' };
  }
}

function withCredentials(
  fields: BackendFields,
  backend: { invokeWithCallerCredentials?: boolean; executionRoleArn?: string },
  apiRegion: string,
): BackendFields {
  if (backend.invokeWithCallerCredentials === true) {
    return { ...fields, credentialsArn: callerCredentialsArn(partitionOfRegion(apiRegion)) };
  }
  if (backend.executionRoleArn !== undefined) return { ...fields, credentialsArn: backend.executionRoleArn };
  return fields;
}

function functionArnOf(reference: string, resolved: ResolvedTargets): string {
  if (resolved.functionArn !== undefined) return resolved.functionArn;
  // A full ARN needs no look-up; anything shorter must be resolved in the configured account first.
  const parsed = parseFunctionReference(reference);
  if (parsed.ok && parsed.ref.partition !== undefined) return reference;
  throw new Error(`intentToIntegration: function "${reference}" needs resolved.functionArn (only a full ARN resolves itself)`);
}

/** The intent's integration responses, in the order the intent lists them. */
export function intentResponses(intent: RouteIntegrationIntent): IntegrationResponseFields[] {
  return Object.entries(intent.responses ?? {}).map(([integrationResponseKey, response]) => {
    const fields: IntegrationResponseFields = { integrationResponseKey };
    if (response.responseTemplates !== undefined) fields.responseTemplates = { ...response.responseTemplates };
    if (response.templateSelectionExpression !== undefined) {
      fields.templateSelectionExpression = response.templateSelectionExpression;
    }
    if (response.contentHandlingStrategy !== undefined) fields.contentHandlingStrategy = response.contentHandlingStrategy;
    return fields;
  });
}
