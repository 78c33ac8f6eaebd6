// Request examples shown in Swagger UI (OpenAPI media-type `examples`, named): one per backend
// type the console offers.
const intentExamples = [
  {
    backend: { type: 'lambda', function: 'chat-handler:live', proxy: true },
    timeoutInMillis: 10000,
    returnResponse: true,
  },
  {
    backend: { type: 'lambda', function: 'arn:aws:lambda:us-east-1:210987654321:function:shared-auth', proxy: false, executionRoleArn: 'arn:aws:iam::123456789012:role/apigw-invoke' },
    requestTemplates: { 'application/json': '{"body": $input.json(\'$\')}' },
    responses: { $default: { responseTemplates: { 'application/json': '$input.json(\'$\')' } } },
  },
  {
    backend: { type: 'http', url: 'https://backend.example.com/messages', method: 'POST', proxy: true },
    timeoutInMillis: 5000,
  },
  {
    backend: { type: 'mock' },
    requestTemplates: { 'application/json': '{"statusCode":200}' },
    responses: { $default: { responseTemplates: { 'application/json': '{"ok": true}' } } },
    returnResponse: true,
  },
  {
    backend: { type: 'aws', uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/chat-queue', method: 'POST', executionRoleArn: 'arn:aws:iam::123456789012:role/apigw-sqs' },
    requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' },
    passthroughBehavior: 'NEVER',
  },
  {
    backend: { type: 'vpcLink', vpcLinkId: '${stageVariables.vpcLinkId}', url: 'http://internal-nlb.example.com/ws', method: 'POST', proxy: true },
  },
];

const EXAMPLE_NAMES: [string, string][] = [
  ['lambdaProxy', 'Lambda proxy, by name:alias, two-way'],
  ['lambdaCustomCrossAccount', 'Lambda non-proxy in another account, with an execution role and templates'],
  ['http', 'HTTP proxy endpoint'],
  ['mock', 'Mock with a request template and a $default response'],
  ['awsService', 'AWS service (SQS SendMessage) with a role'],
  ['vpcLink', 'Private backend through a VPC link named by a stage variable'],
];

/** Named examples in the form @fastify/swagger copies into the request body's media type. */
export const INTENT_EXAMPLES = Object.fromEntries(
  EXAMPLE_NAMES.map(([name, summary], index) => [name, { summary, value: intentExamples[index] }]),
);
