import t from 'tap';
import {
  validateIntegrationFields,
  validateIntegrationResponseKey,
  validateRouteKey,
} from '../../src/domain/integration-rules.js';
import type { IntegrationFields } from '../../src/domain/model.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;
const LAMBDA_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const SQS_URI = `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/queue`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-invoke`;

const lambdaProxy: IntegrationFields = { integrationType: 'AWS_PROXY', integrationUri: LAMBDA_URI };
const http: IntegrationFields = { integrationType: 'HTTP_PROXY', integrationUri: 'https://example.com/ws', integrationMethod: 'POST' };
const awsService: IntegrationFields = { integrationType: 'AWS', integrationUri: SQS_URI, integrationMethod: 'POST', credentialsArn: ROLE };

interface Case {
  name: string;
  fields: IntegrationFields;
  /** Empty for a valid integration; otherwise every violation expected, in order. */
  expect: Array<{ path: string; message: RegExp }>;
}

/** Casts a value outside the declared type, as an untyped caller could send it. */
const untyped = <T>(value: unknown): T => value as T;

const cases: Case[] = [
  // integrationType
  { name: 'MOCK alone', fields: { integrationType: 'MOCK' }, expect: [] },
  { name: 'bad integration type', fields: { integrationType: untyped('LAMBDA') }, expect: [{ path: '/integrationType', message: /must be one of AWS, AWS_PROXY/ }] },
  { name: 'missing integration type', fields: untyped({}), expect: [{ path: '/integrationType', message: /is required/ }] },

  // timeoutInMillis: WebSocket range 50..29000
  { name: 'timeout 49', fields: { ...lambdaProxy, timeoutInMillis: 49 }, expect: [{ path: '/timeoutInMillis', message: /between 50 and 29000 ms \(WebSocket APIs\)/ }] },
  { name: 'timeout 50', fields: { ...lambdaProxy, timeoutInMillis: 50 }, expect: [] },
  { name: 'timeout 29000', fields: { ...lambdaProxy, timeoutInMillis: 29000 }, expect: [] },
  { name: 'timeout 29001', fields: { ...lambdaProxy, timeoutInMillis: 29001 }, expect: [{ path: '/timeoutInMillis', message: /between 50 and 29000/ }] },
  { name: 'timeout 30000 (HTTP API maximum)', fields: { ...lambdaProxy, timeoutInMillis: 30000 }, expect: [{ path: '/timeoutInMillis', message: /29000/ }] },
  { name: 'fractional timeout', fields: { ...lambdaProxy, timeoutInMillis: 100.5 }, expect: [{ path: '/timeoutInMillis', message: /integer/ }] },

  // MOCK
  { name: 'mock with URI', fields: { integrationType: 'MOCK', integrationUri: 'https://example.com' }, expect: [{ path: '/integrationUri', message: /must be absent for a MOCK/ }] },
  { name: 'mock with templates', fields: { integrationType: 'MOCK', requestTemplates: { 'application/json': '{"statusCode":200}' } }, expect: [] },

  // AWS_PROXY = Lambda proxy
  { name: 'AWS_PROXY with Lambda URI', fields: lambdaProxy, expect: [] },
  { name: 'AWS_PROXY with POST', fields: { ...lambdaProxy, integrationMethod: 'POST' }, expect: [] },
  { name: 'AWS_PROXY with GET', fields: { ...lambdaProxy, integrationMethod: 'GET' }, expect: [{ path: '/integrationMethod', message: /must be POST for a Lambda integration/ }] },
  { name: 'AWS_PROXY without URI', fields: { integrationType: 'AWS_PROXY' }, expect: [{ path: '/integrationUri', message: /is required for AWS_PROXY/ }] },
  { name: 'AWS_PROXY with an HTTP URL', fields: { integrationType: 'AWS_PROXY', integrationUri: 'https://example.com' }, expect: [{ path: '/integrationUri', message: /must be a Lambda invocation URI/ }] },
  { name: 'AWS_PROXY with a service URI', fields: { integrationType: 'AWS_PROXY', integrationUri: SQS_URI }, expect: [{ path: '/integrationUri', message: /must be a Lambda invocation URI/ }] },
  { name: 'AWS_PROXY with a bare function ARN', fields: { integrationType: 'AWS_PROXY', integrationUri: FUNCTION_ARN }, expect: [{ path: '/integrationUri', message: /not a bare function ARN/ }] },
  {
    name: 'AWS_PROXY with a 65-character function name',
    fields: { integrationType: 'AWS_PROXY', integrationUri: LAMBDA_URI.replace(':function:echo', `:function:${'f'.repeat(65)}`) },
    expect: [{ path: '/integrationUri', message: /invalid function ARN: function name/ }],
  },
  {
    name: 'AWS_PROXY in the cn partition',
    fields: { integrationType: 'AWS_PROXY', integrationUri: `arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo/invocations` },
    expect: [],
  },
  {
    name: 'AWS_PROXY with a function ARN whose partition does not match its region',
    fields: { integrationType: 'AWS_PROXY', integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:cn-north-1:${ACCOUNT}:function:echo/invocations` },
    expect: [{ path: '/integrationUri', message: /belongs to partition aws-cn/ }],
  },
  {
    name: 'AWS_PROXY with a cross-account function',
    fields: { integrationType: 'AWS_PROXY', integrationUri: LAMBDA_URI.replace(ACCOUNT, OTHER_ACCOUNT) },
    expect: [],
  },

  // AWS: Lambda custom, or another service with a role
  { name: 'AWS Lambda custom without credentials', fields: { integrationType: 'AWS', integrationUri: LAMBDA_URI }, expect: [] },
  { name: 'AWS Lambda custom with PUT', fields: { integrationType: 'AWS', integrationUri: LAMBDA_URI, integrationMethod: 'PUT' }, expect: [{ path: '/integrationMethod', message: /must be POST/ }] },
  { name: 'AWS service with role', fields: awsService, expect: [] },
  { name: 'AWS service action form', fields: { ...awsService, integrationUri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage' }, expect: [] },
  { name: 'AWS service with a stage variable in the path', fields: { ...awsService, integrationUri: 'arn:aws:apigateway:us-east-1:sqs:path/${stageVariables.queue}' }, expect: [] },
  { name: 'AWS service without credentials', fields: { ...awsService, credentialsArn: undefined }, expect: [{ path: '/credentialsArn', message: /is required for an AWS service integration that is not Lambda/ }] },
  { name: 'AWS service without method', fields: { ...awsService, integrationMethod: undefined }, expect: [{ path: '/integrationMethod', message: /is required for an AWS service integration/ }] },
  { name: 'AWS without URI', fields: { integrationType: 'AWS', credentialsArn: ROLE, integrationMethod: 'POST' }, expect: [{ path: '/integrationUri', message: /is required for AWS/ }] },
  { name: 'AWS with an HTTP URL', fields: { ...awsService, integrationUri: 'https://sqs.us-east-1.amazonaws.com' }, expect: [{ path: '/integrationUri', message: /must be an AWS service URI/ }] },
  { name: 'AWS with a malformed Lambda URI', fields: { integrationType: 'AWS', integrationUri: LAMBDA_URI.replace(ACCOUNT, '12') }, expect: [{ path: '/integrationUri', message: /must be a Lambda invocation URI for a Lambda custom integration/ }] },

  // HTTP / HTTP_PROXY
  { name: 'HTTP_PROXY', fields: http, expect: [] },
  { name: 'HTTP with templates', fields: { ...http, integrationType: 'HTTP', requestTemplates: { $default: '{}' } }, expect: [] },
  { name: 'HTTP without method', fields: { ...http, integrationMethod: undefined }, expect: [{ path: '/integrationMethod', message: /is required for HTTP_PROXY/ }] },
  { name: 'HTTP without URI', fields: { ...http, integrationUri: undefined }, expect: [{ path: '/integrationUri', message: /is required for HTTP_PROXY/ }] },
  { name: 'HTTP with ANY', fields: { ...http, integrationMethod: 'ANY' }, expect: [] },
  { name: 'HTTP with a bad method', fields: { ...http, integrationMethod: 'FETCH' }, expect: [{ path: '/integrationMethod', message: /must be one of GET, POST/ }] },
  { name: 'HTTP with a lower-case method', fields: { ...http, integrationMethod: 'post' }, expect: [{ path: '/integrationMethod', message: /upper case/ }] },
  { name: 'HTTP with ftp URL', fields: { ...http, integrationUri: 'ftp://example.com' }, expect: [{ path: '/integrationUri', message: /http:\/\/ or https:\/\// }] },
  { name: 'HTTP with a relative URL', fields: { ...http, integrationUri: '/ws' }, expect: [{ path: '/integrationUri', message: /absolute/ }] },
  { name: 'HTTP with a broken URL', fields: { ...http, integrationUri: 'http://exa mple.com' }, expect: [{ path: '/integrationUri', message: /is not a valid URL/ }] },
  { name: 'HTTP on port 80', fields: { ...http, integrationUri: 'http://example.com:80/x' }, expect: [] },
  { name: 'HTTP on port 443', fields: { ...http, integrationUri: 'http://example.com:443/x' }, expect: [] },
  { name: 'HTTP on port 1025', fields: { ...http, integrationUri: 'http://example.com:1025/x' }, expect: [] },
  { name: 'HTTP on port 1024', fields: { ...http, integrationUri: 'http://example.com:1024/x' }, expect: [{ path: '/integrationUri', message: /port 1024.*80, 443 or ports above 1024/ }] },
  { name: 'HTTP on port 8', fields: { ...http, integrationUri: 'https://example.com:8' }, expect: [{ path: '/integrationUri', message: /port 8/ }] },
  { name: 'HTTP with a stage variable host', fields: { ...http, integrationUri: 'https://${stageVariables.host}/ws' }, expect: [] },
  { name: 'HTTP with stage variables in subdomain, path and query', fields: { ...http, integrationUri: 'https://${stageVariables.env}.example.com/${stageVariables.path}?v=${stageVariables.v}' }, expect: [] },
  { name: 'HTTP with a stage variable port', fields: { ...http, integrationUri: 'https://example.com:${stageVariables.port}/ws' }, expect: [] },

  // connection type and id
  { name: 'VPC link', fields: { ...http, connectionType: 'VPC_LINK', connectionId: 'abc123' }, expect: [] },
  { name: 'VPC link by stage variable', fields: { ...http, connectionType: 'VPC_LINK', connectionId: '${stageVariables.vpcLinkId}' }, expect: [] },
  { name: 'VPC link without connection id', fields: { ...http, connectionType: 'VPC_LINK' }, expect: [{ path: '/connectionId', message: /is required with connectionType VPC_LINK/ }] },
  { name: 'VPC link with a malformed id', fields: { ...http, connectionType: 'VPC_LINK', connectionId: 'vpc link!' }, expect: [{ path: '/connectionId', message: /REST API \(v1\) VPC link id/ }] },
  { name: 'VPC link on Lambda', fields: { ...lambdaProxy, connectionType: 'VPC_LINK', connectionId: 'abc123' }, expect: [{ path: '/connectionType', message: /only with HTTP or HTTP_PROXY integrations, not AWS_PROXY/ }] },
  { name: 'INTERNET with connection id', fields: { ...http, connectionType: 'INTERNET', connectionId: 'abc123' }, expect: [{ path: '/connectionId', message: /must be absent unless connectionType is VPC_LINK/ }] },
  { name: 'no connection type but a connection id', fields: { ...http, connectionId: 'abc123' }, expect: [{ path: '/connectionId', message: /must be absent/ }] },
  { name: 'explicit INTERNET', fields: { ...http, connectionType: 'INTERNET' }, expect: [] },
  { name: 'bad connection type', fields: { ...http, connectionType: untyped('PRIVATE') }, expect: [{ path: '/connectionType', message: /must be one of INTERNET, VPC_LINK/ }] },

  // payload format, enums
  { name: 'payload format 1.0', fields: { ...lambdaProxy, payloadFormatVersion: '1.0' }, expect: [] },
  { name: 'payload format 2.0', fields: { ...lambdaProxy, payloadFormatVersion: '2.0' }, expect: [{ path: '/payloadFormatVersion', message: /must be 1\.0 on WebSocket APIs/ }] },
  { name: 'passthrough NEVER', fields: { ...http, passthroughBehavior: 'NEVER' }, expect: [] },
  { name: 'bad passthrough', fields: { ...http, passthroughBehavior: untyped('ALWAYS') }, expect: [{ path: '/passthroughBehavior', message: /WHEN_NO_MATCH, NEVER, WHEN_NO_TEMPLATES/ }] },
  { name: 'content handling CONVERT_TO_TEXT', fields: { ...http, contentHandlingStrategy: 'CONVERT_TO_TEXT' }, expect: [] },
  { name: 'bad content handling', fields: { ...http, contentHandlingStrategy: untyped('BASE64') }, expect: [{ path: '/contentHandlingStrategy', message: /CONVERT_TO_BINARY, CONVERT_TO_TEXT/ }] },

  // credentialsArn
  { name: 'role with a path', fields: { ...lambdaProxy, credentialsArn: `arn:aws:iam::${ACCOUNT}:role/service/apigw-invoke` }, expect: [] },
  { name: 'caller credentials', fields: { ...lambdaProxy, credentialsArn: 'arn:aws:iam::*:user/*' }, expect: [] },
  { name: 'caller credentials in cn', fields: { ...lambdaProxy, credentialsArn: 'arn:aws-cn:iam::*:user/*' }, expect: [] },
  { name: 'role from a stage variable', fields: { ...lambdaProxy, credentialsArn: `arn:aws:iam::${ACCOUNT}:\${stageVariables.role}` }, expect: [] },
  { name: 'user ARN as credentials', fields: { ...lambdaProxy, credentialsArn: `arn:aws:iam::${ACCOUNT}:user/bob` }, expect: [{ path: '/credentialsArn', message: /IAM role ARN .* or arn:aws:iam::\*:user\/\*/ }] },
  { name: 'role without account', fields: { ...lambdaProxy, credentialsArn: 'arn:aws:iam:::role/x' }, expect: [{ path: '/credentialsArn', message: /IAM role ARN/ }] },
  { name: 'role name only', fields: { ...lambdaProxy, credentialsArn: 'apigw-invoke' }, expect: [{ path: '/credentialsArn', message: /IAM role ARN/ }] },

  // requestParameters
  {
    name: 'every kind of request parameter value',
    fields: {
      ...http,
      requestParameters: {
        'integration.request.header.x-user': 'route.request.header.Auth',
        'integration.request.querystring.q': 'route.request.querystring.q',
        'integration.request.header.x-all': 'route.request.multivalueheader.Accept',
        'integration.request.querystring.ids': 'route.request.multivaluequerystring.id',
        'integration.request.header.x-action': 'route.request.body.action',
        'integration.request.header.x-deep': 'route.request.body.a.b[0]',
        'integration.request.header.x-connection': 'context.connectionId',
        'integration.request.header.x-ip': 'context.identity.sourceIp',
        'integration.request.path.env': 'stageVariables.env',
        'integration.request.header.x-static': "'fixed value'",
      },
    },
    expect: [],
  },
  {
    name: 'bad request parameter key and value',
    fields: { ...http, requestParameters: { 'method.request.header.x': 'route.request.header.a', 'integration.request.header.y': 'header.a' } },
    expect: [
      { path: '/requestParameters/method.request.header.x', message: /key "method\.request\.header\.x" must be integration\.request\.\{header\|querystring\|path\}\.\{name\}/ },
      { path: '/requestParameters/integration.request.header.y', message: /'quoted' static value/ },
    ],
  },
  { name: 'request parameter body location', fields: { ...http, requestParameters: { 'integration.request.body.x': "'a'" } }, expect: [{ path: '/requestParameters/integration.request.body.x', message: /must be integration\.request\./ }] },
  { name: 'unquoted static value', fields: { ...http, requestParameters: { 'integration.request.header.x': 'fixed' } }, expect: [{ path: '/requestParameters/integration.request.header.x', message: /value "fixed"/ }] },
  { name: 'empty request parameter value', fields: { ...http, requestParameters: { 'integration.request.header.x': '' } }, expect: [{ path: '/requestParameters/integration.request.header.x', message: /must not be empty/ }] },
  { name: 'request parameter value of 512', fields: { ...http, requestParameters: { 'integration.request.header.x': `'${'v'.repeat(510)}'` } }, expect: [] },
  { name: 'request parameter value of 513', fields: { ...http, requestParameters: { 'integration.request.header.x': `'${'v'.repeat(511)}'` } }, expect: [{ path: '/requestParameters/integration.request.header.x', message: /at most 512/ }] },

  // HTTP API fields
  { name: 'integration subtype', fields: untyped({ ...lambdaProxy, integrationSubtype: 'SQS-SendMessage' }), expect: [{ path: '/integrationSubtype', message: /HTTP API field/ }] },
  { name: 'response parameters and TLS config', fields: untyped({ ...http, responseParameters: { '200': {} }, tlsConfig: { serverNameToVerify: 'x' } }), expect: [{ path: '/responseParameters', message: /HTTP API/ }, { path: '/tlsConfig', message: /HTTP API/ }] },
];

t.test('validateIntegrationFields, one rule at a time', async (t) => {
  for (const c of cases) {
    const actual = validateIntegrationFields(c.fields);
    t.equal(actual.length, c.expect.length, `${c.name}: ${c.expect.length} violation(s)`, { actual });
    t.match(actual, c.expect, c.name);
  }
});

t.test('a Lambda URI that uses stage variables must name a function of the API account', async (t) => {
  const withStageVariable = (account: string): IntegrationFields => ({
    integrationType: 'AWS_PROXY',
    integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${account}:function:\${stageVariables.fn}/invocations`,
  });
  t.same(validateIntegrationFields(withStageVariable(ACCOUNT), { accountId: ACCOUNT }), [], 'same account');
  t.match(validateIntegrationFields(withStageVariable(OTHER_ACCOUNT), { accountId: ACCOUNT }), [
    { path: '/integrationUri', message: /uses stage variables, so it must name a function in the API's account 123456789012, not 210987654321/ },
  ]);
  t.same(validateIntegrationFields(withStageVariable(OTHER_ACCOUNT)), [], 'skipped when the API account is unknown');
  t.same(
    validateIntegrationFields({ ...lambdaProxy, integrationUri: LAMBDA_URI.replace(ACCOUNT, OTHER_ACCOUNT) }, { accountId: ACCOUNT }),
    [],
    'a cross-account function without stage variables is allowed',
  );
});

t.test('every violation is reported at once', async (t) => {
  const violations = validateIntegrationFields({
    integrationType: 'HTTP',
    integrationUri: 'ftp://example.com',
    connectionType: 'VPC_LINK',
    timeoutInMillis: 30000,
    payloadFormatVersion: '2.0',
    credentialsArn: 'nope',
    requestParameters: { 'integration.request.header.x': 'nope' },
  });
  t.same(
    violations.map((v) => v.path),
    ['/integrationUri', '/integrationMethod', '/connectionId', '/credentialsArn', '/timeoutInMillis', '/payloadFormatVersion', '/requestParameters/integration.request.header.x'],
  );
});

t.test('validateIntegrationResponseKey', async (t) => {
  const valid = ['$default', '/200/', String.raw`/2\d\d/`, String.raw`/4\d{2}/`, '/.*Error.*/', '/5../'];
  for (const key of valid) t.equal(validateIntegrationResponseKey(key), undefined, key);
  const invalid: Array<[string, RegExp]> = [
    ['200', /must be \$default or a regular expression between slashes/],
    ['default', /between slashes/],
    ['$DEFAULT', /between slashes/],
    ['/', /between slashes/],
    ['/2\\d\\d', /between slashes/],
    ['/(2/', /does not compile/],
    ['/[a-/', /does not compile/],
  ];
  for (const [key, message] of invalid) t.match(validateIntegrationResponseKey(key), message, key);
});

t.test('validateRouteKey', async (t) => {
  const valid = ['$connect', '$disconnect', '$default', 'sendmessage', 'chat.send', 'a', 'k'.repeat(128), 'a$b'];
  for (const key of valid) t.equal(validateRouteKey(key), undefined, key);
  const invalid: Array<[string, RegExp]> = [
    ['', /1 to 128 characters/],
    ['k'.repeat(129), /1 to 128 characters/],
    ['$custom', /custom key that does not start with \$/],
    ['$Connect', /does not start with \$/],
  ];
  for (const [key, message] of invalid) t.match(validateRouteKey(key), message, key);
});
