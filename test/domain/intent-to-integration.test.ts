import t from 'tap';
import { intentResponses, intentToIntegration, validateIntent } from '../../src/domain/intent-to-integration.js';
import { validateIntegrationFields } from '../../src/domain/integration-rules.js';
import type { Backend, RouteIntegrationIntent } from '../../src/domain/intent.js';
import type { IntegrationFields } from '../../src/domain/model.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`;
const SQS_URI = `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/queue`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;
const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;

const lambda: Backend = { type: 'lambda', function: 'echo' };
const http: Backend = { type: 'http', url: 'https://example.com/ws', method: 'POST' };
const vpcLink: Backend = { type: 'vpcLink', vpcLinkId: 'abc123', url: 'http://internal.example.com:8080/ws', method: 'POST' };
const aws: Backend = { type: 'aws', uri: SQS_URI, method: 'POST', executionRoleArn: ROLE };

/** Casts a value outside the declared type, as an untyped caller could send it. */
const untyped = <T>(value: unknown): T => value as T;

interface Case {
  name: string;
  intent: RouteIntegrationIntent;
  expect: Array<{ path: string; message: RegExp }>;
}

const cases: Case[] = [
  // backend type
  { name: 'mock', intent: { backend: { type: 'mock' } }, expect: [] },
  { name: 'unknown backend type', intent: { backend: untyped({ type: 'lambda-function' }) }, expect: [{ path: '/backend/type', message: /must be one of lambda, http, mock, aws, vpcLink/ }] },

  // lambda: function reference
  { name: 'lambda by name', intent: { backend: lambda }, expect: [] },
  { name: 'lambda name:alias', intent: { backend: { ...lambda, function: 'echo:PROD' } }, expect: [] },
  { name: 'lambda name:version', intent: { backend: { ...lambda, function: 'echo:12' } }, expect: [] },
  { name: 'lambda partial ARN', intent: { backend: { ...lambda, function: `${ACCOUNT}:function:echo` } }, expect: [] },
  { name: 'lambda cross-account ARN', intent: { backend: { ...lambda, function: `arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:echo:PROD` } }, expect: [] },
  { name: 'lambda cn ARN', intent: { backend: { ...lambda, function: `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo` } }, expect: [] },
  { name: 'lambda bad name', intent: { backend: { ...lambda, function: 'echo fn' } }, expect: [{ path: '/backend/function', message: /function name "echo fn" must be 1 to 64/ }] },
  { name: 'lambda bad alias', intent: { backend: { ...lambda, function: 'echo:pr.od' } }, expect: [{ path: '/backend/function', message: /qualifier "pr\.od"/ }] },
  { name: 'lambda empty function', intent: { backend: { ...lambda, function: '' } }, expect: [{ path: '/backend/function', message: /is required/ }] },
  { name: 'lambda stage-variable function', intent: { backend: { ...lambda, function: 'echo:${stageVariables.alias}' } }, expect: [{ path: '/backend/function', message: /stage variables .* raw integration form/ }] },

  // lambda: credentials
  { name: 'lambda with caller credentials', intent: { backend: { ...lambda, invokeWithCallerCredentials: true } }, expect: [] },
  { name: 'lambda with an execution role', intent: { backend: { ...lambda, executionRoleArn: ROLE } }, expect: [] },
  { name: 'lambda with both credentials', intent: { backend: { ...lambda, invokeWithCallerCredentials: true, executionRoleArn: ROLE } }, expect: [{ path: '/backend/executionRoleArn', message: /must not be set together with invokeWithCallerCredentials/ }] },
  { name: 'lambda with a role and caller credentials off', intent: { backend: { ...lambda, invokeWithCallerCredentials: false, executionRoleArn: ROLE } }, expect: [] },
  { name: 'lambda with a bad role', intent: { backend: { ...lambda, executionRoleArn: `arn:aws:iam::${ACCOUNT}:user/bob` } }, expect: [{ path: '/backend/executionRoleArn', message: /must be an IAM role ARN/ }] },
  { name: 'lambda with the caller form as role', intent: { backend: { ...lambda, executionRoleArn: 'arn:aws:iam::*:user/*' } }, expect: [{ path: '/backend/executionRoleArn', message: /set invokeWithCallerCredentials to true instead/ }] },

  // http
  { name: 'http', intent: { backend: http }, expect: [] },
  { name: 'http non-proxy with templates and responses', intent: { backend: { ...http, proxy: false }, requestTemplates: { $default: '{}' }, templateSelectionExpression: '\\$default', responses: { $default: {} } }, expect: [] },
  { name: 'http with ftp URL', intent: { backend: { ...http, url: 'ftp://example.com' } }, expect: [{ path: '/backend/url', message: /http:\/\/ or https:\/\// }] },
  { name: 'http on port 22', intent: { backend: { ...http, url: 'https://example.com:22' } }, expect: [{ path: '/backend/url', message: /port 22/ }] },
  { name: 'http with a stage-variable host', intent: { backend: { ...http, url: 'https://${stageVariables.host}/ws' } }, expect: [] },
  { name: 'http with a bad method', intent: { backend: { ...http, method: 'SEND' } }, expect: [{ path: '/backend/method', message: /must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY/ }] },
  { name: 'http without method', intent: { backend: untyped({ type: 'http', url: 'https://example.com' }) }, expect: [{ path: '/backend/method', message: /is required/ }] },
  { name: 'http without url', intent: { backend: untyped({ type: 'http', method: 'GET' }) }, expect: [{ path: '/backend/url', message: /is required/ }] },

  // vpcLink
  { name: 'vpcLink', intent: { backend: vpcLink }, expect: [] },
  { name: 'vpcLink by stage variable', intent: { backend: { ...vpcLink, vpcLinkId: '${stageVariables.vpcLinkId}' } }, expect: [] },
  { name: 'vpcLink with a malformed id', intent: { backend: { ...vpcLink, vpcLinkId: 'vpclink/abc' } }, expect: [{ path: '/backend/vpcLinkId', message: /REST API \(v1\) VPC link id/ }] },
  { name: 'vpcLink without id', intent: { backend: untyped({ ...vpcLink, vpcLinkId: undefined }) }, expect: [{ path: '/backend/vpcLinkId', message: /is required/ }] },
  { name: 'vpcLink on port 1024', intent: { backend: { ...vpcLink, url: 'http://internal:1024' } }, expect: [{ path: '/backend/url', message: /port 1024/ }] },

  // aws
  { name: 'aws with role', intent: { backend: aws }, expect: [] },
  { name: 'aws with caller credentials', intent: { backend: { type: 'aws', uri: SQS_URI, method: 'POST', invokeWithCallerCredentials: true } }, expect: [] },
  { name: 'aws without credentials', intent: { backend: { type: 'aws', uri: SQS_URI, method: 'POST' } }, expect: [{ path: '/backend/executionRoleArn', message: /is required for an AWS service backend \(or set invokeWithCallerCredentials to true\)/ }] },
  { name: 'aws with both credentials', intent: { backend: { ...aws, invokeWithCallerCredentials: true } }, expect: [{ path: '/backend/executionRoleArn', message: /must not be set together/ }] },
  { name: 'aws with a Lambda URI', intent: { backend: { ...aws, uri: LAMBDA_URI } }, expect: [{ path: '/backend/uri', message: /use a lambda backend/ }] },
  { name: 'aws with a bare function ARN', intent: { backend: { ...aws, uri: FUNCTION_ARN } }, expect: [{ path: '/backend/uri', message: /use a lambda backend/ }] },
  { name: 'aws with an HTTP URL', intent: { backend: { ...aws, uri: 'https://sqs.us-east-1.amazonaws.com/' } }, expect: [{ path: '/backend/uri', message: /must be an AWS service URI/ }] },
  { name: 'aws with a bad method', intent: { backend: { ...aws, method: 'post' } }, expect: [{ path: '/backend/method', message: /upper case/ }] },

  // timeout
  { name: 'timeout 49', intent: { backend: lambda, timeoutInMillis: 49 }, expect: [{ path: '/timeoutInMillis', message: /must be an integer between 50 and 29000 ms \(WebSocket APIs\)/ }] },
  { name: 'timeout 50', intent: { backend: lambda, timeoutInMillis: 50 }, expect: [] },
  { name: 'timeout 29000', intent: { backend: lambda, timeoutInMillis: 29000 }, expect: [] },
  { name: 'timeout 29001', intent: { backend: lambda, timeoutInMillis: 29001 }, expect: [{ path: '/timeoutInMillis', message: /between 50 and 29000/ }] },

  // enums
  { name: 'bad passthrough', intent: { backend: { type: 'mock' }, passthroughBehavior: untyped('SOMETIMES') }, expect: [{ path: '/passthroughBehavior', message: /must be one of WHEN_NO_MATCH/ }] },
  { name: 'bad content handling', intent: { backend: { type: 'mock' }, contentHandlingStrategy: untyped('GZIP') }, expect: [{ path: '/contentHandlingStrategy', message: /must be one of CONVERT_TO_BINARY/ }] },

  // proxy integrations ignore templates and integration responses
  // API Gateway accepts (and ignores) templates and responses on proxy integrations: so do we.
  { name: 'proxy lambda with templates', intent: { backend: lambda, requestTemplates: { $default: '{}' }, templateSelectionExpression: '\\$default' }, expect: [] },
  { name: 'proxy http with responses', intent: { backend: http, responses: { $default: {} } }, expect: [] },
  { name: 'non-proxy lambda with templates and responses', intent: { backend: { ...lambda, proxy: false }, requestTemplates: { $default: '{}' }, responses: { $default: {} } }, expect: [] },
  { name: 'mock with templates and responses', intent: { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' }, responses: { $default: {} } }, expect: [] },

  // integration response keys
  {
    name: 'good response keys',
    intent: { backend: { type: 'mock' }, responses: { $default: {}, '/2\\d\\d/': { contentHandlingStrategy: 'CONVERT_TO_TEXT' }, '/4\\d{2}/': {} } },
    expect: [],
  },
  {
    name: 'bad response keys',
    intent: { backend: { type: 'mock' }, responses: { '200': {}, '/(5/': {}, $default: { contentHandlingStrategy: untyped('NONE') } } },
    expect: [
      { path: '/responses/200', message: /key must be \$default or a regular expression between slashes/ },
      { path: '/responses/~1(5~1', message: /key has a regular expression that does not compile/ },
      { path: '/responses/$default/contentHandlingStrategy', message: /must be one of/ },
    ],
  },

  // request parameters
  { name: 'good request parameters', intent: { backend: http, requestParameters: { 'integration.request.header.x-connection': 'context.connectionId', 'integration.request.querystring.stage': "'prod'" } }, expect: [] },
  { name: 'bad request parameters', intent: { backend: http, requestParameters: { 'header.x': 'context.connectionId', 'integration.request.header.y': '$context.connectionId' } }, expect: [{ path: '/requestParameters/header.x', message: /key/ }, { path: '/requestParameters/integration.request.header.y', message: /value/ }] },
];

t.test('validateIntent, one rule at a time', async (t) => {
  for (const c of cases) {
    const actual = validateIntent(c.intent);
    t.equal(actual.length, c.expect.length, `${c.name}: ${c.expect.length} violation(s)`, { actual });
    t.match(actual, c.expect, c.name);
  }
});

t.test('validateIntent reports every violation at once', async (t) => {
  const violations = validateIntent({
    backend: { type: 'vpcLink', vpcLinkId: 'bad id', url: 'gopher://x', method: 'FETCH' },
    timeoutInMillis: 30000,
    requestParameters: { 'x': "'y'" },
    responses: { 'not-a-key': {} },
  });
  t.same(
    violations.map((v) => v.path),
    ['/backend/vpcLinkId', '/backend/url', '/backend/method', '/timeoutInMillis', '/requestParameters/x', '/responses/not-a-key'],
  );
});

t.test('intentToIntegration', async (t) => {
  const apiRegion = 'us-east-1';
  const defaults = { timeoutInMillis: 29000, passthroughBehavior: 'WHEN_NO_MATCH', payloadFormatVersion: '1.0' } as const;
  const cases: Array<[string, RouteIntegrationIntent, { apiRegion: string; functionArn?: string }, IntegrationFields]> = [
    [
      'lambda proxy',
      { backend: lambda },
      { apiRegion, functionArn: FUNCTION_ARN },
      { integrationType: 'AWS_PROXY', integrationUri: LAMBDA_URI, integrationMethod: 'POST', connectionType: 'INTERNET', ...defaults },
    ],
    [
      'lambda custom with an alias and caller credentials',
      { backend: { ...lambda, function: 'echo:PROD', proxy: false, invokeWithCallerCredentials: true } },
      { apiRegion, functionArn: `${FUNCTION_ARN}:PROD` },
      {
        integrationType: 'AWS',
        integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}:PROD/invocations`,
        integrationMethod: 'POST',
        connectionType: 'INTERNET',
        credentialsArn: 'arn:aws:iam::*:user/*',
        ...defaults,
      },
    ],
    [
      'lambda with an execution role, full ARN resolved from the intent itself',
      { backend: { ...lambda, function: `arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:echo`, executionRoleArn: ROLE } },
      { apiRegion },
      {
        integrationType: 'AWS_PROXY',
        integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:echo/invocations`,
        integrationMethod: 'POST',
        connectionType: 'INTERNET',
        credentialsArn: ROLE,
        ...defaults,
      },
    ],
    [
      'lambda in the cn partition with caller credentials',
      { backend: { ...lambda, invokeWithCallerCredentials: true } },
      { apiRegion: 'cn-north-1', functionArn: `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo` },
      {
        integrationType: 'AWS_PROXY',
        integrationUri: `arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo/invocations`,
        integrationMethod: 'POST',
        connectionType: 'INTERNET',
        credentialsArn: 'arn:aws-cn:iam::*:user/*',
        ...defaults,
      },
    ],
    [
      'http proxy by default',
      { backend: http },
      { apiRegion },
      { integrationType: 'HTTP_PROXY', integrationUri: 'https://example.com/ws', integrationMethod: 'POST', connectionType: 'INTERNET', ...defaults },
    ],
    [
      'http non-proxy with every optional field',
      {
        backend: { ...http, proxy: false },
        timeoutInMillis: 5000,
        passthroughBehavior: 'NEVER',
        contentHandlingStrategy: 'CONVERT_TO_TEXT',
        requestTemplates: { $default: '{"a":1}' },
        templateSelectionExpression: '\\$default',
        requestParameters: { 'integration.request.header.x': 'context.connectionId' },
        description: 'chat backend',
        responses: { $default: {} },
        returnResponse: true,
      },
      { apiRegion },
      {
        integrationType: 'HTTP',
        integrationUri: 'https://example.com/ws',
        integrationMethod: 'POST',
        connectionType: 'INTERNET',
        timeoutInMillis: 5000,
        passthroughBehavior: 'NEVER',
        payloadFormatVersion: '1.0',
        contentHandlingStrategy: 'CONVERT_TO_TEXT',
        requestTemplates: { $default: '{"a":1}' },
        templateSelectionExpression: '\\$default',
        requestParameters: { 'integration.request.header.x': 'context.connectionId' },
        description: 'chat backend',
      },
    ],
    [
      'mock',
      { backend: { type: 'mock' }, requestTemplates: { 'application/json': '{"statusCode":200}' } },
      { apiRegion },
      { integrationType: 'MOCK', connectionType: 'INTERNET', requestTemplates: { 'application/json': '{"statusCode":200}' }, ...defaults },
    ],
    [
      'aws service',
      { backend: aws },
      { apiRegion },
      { integrationType: 'AWS', integrationUri: SQS_URI, integrationMethod: 'POST', connectionType: 'INTERNET', credentialsArn: ROLE, ...defaults },
    ],
    [
      'vpc link, non-proxy',
      { backend: { ...vpcLink, proxy: false } },
      { apiRegion },
      {
        integrationType: 'HTTP',
        integrationUri: 'http://internal.example.com:8080/ws',
        integrationMethod: 'POST',
        connectionType: 'VPC_LINK',
        connectionId: 'abc123',
        ...defaults,
      },
    ],
  ];
  for (const [name, intent, resolved, expected] of cases) {
    const integration = intentToIntegration(intent, resolved);
    t.same(integration, expected, name);
    // What the intent form produces must pass the raw form's own rules.
    t.same(validateIntegrationFields(integration, { accountId: ACCOUNT }), [], `${name}: valid raw form`);
  }
});

t.test('intentToIntegration needs a resolved ARN for a bare function name', async (t) => {
  t.throws(() => intentToIntegration({ backend: lambda }, { apiRegion: 'us-east-1' }), /needs resolved\.functionArn/);
});

t.test('intentResponses lists the responses map with its keys', async (t) => {
  t.same(intentResponses({ backend: { type: 'mock' } }), []);
  t.same(
    intentResponses({
      backend: { type: 'mock' },
      responses: {
        $default: { responseTemplates: { $default: '{"ok":true}' }, templateSelectionExpression: '\\$default' },
        '/4\\d\\d/': { contentHandlingStrategy: 'CONVERT_TO_TEXT' },
      },
    }),
    [
      { integrationResponseKey: '$default', responseTemplates: { $default: '{"ok":true}' }, templateSelectionExpression: '\\$default' },
      { integrationResponseKey: '/4\\d\\d/', contentHandlingStrategy: 'CONVERT_TO_TEXT' },
    ],
  );
});
