// Example values of the response components, shown by Swagger UI in every operation's responses
// (JSON Schema `examples`). One consistent story: API abc123def4, route sendmessage, a Lambda proxy.
const apiId = 'abc123def4';
const integrationUri =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat-handler:live/invocations';

export const WEBSOCKET_API_EXAMPLE = {
  apiId,
  name: 'chat',
  protocolType: 'WEBSOCKET',
  routeSelectionExpression: '$request.body.action',
  apiEndpoint: `wss://${apiId}.execute-api.us-east-1.amazonaws.com`,
  target: 'default',
};

export const ROUTE_EXAMPLE = {
  routeId: 'r0ute01',
  routeKey: 'sendmessage',
  target: 'integrations/int0001',
  routeResponseSelectionExpression: '$default',
  authorizationType: 'NONE',
};

export const ROUTE_SUMMARY_EXAMPLE = {
  ...ROUTE_EXAMPLE,
  integration: { integrationId: 'int0001', integrationType: 'AWS_PROXY', integrationUri, connectionType: 'INTERNET' },
};

export const ROUTE_RESPONSE_EXAMPLE = { routeResponseId: 'rr00001', routeResponseKey: '$default' };

export const INTEGRATION_EXAMPLE = {
  integrationId: 'int0001',
  integrationType: 'AWS_PROXY',
  integrationUri,
  integrationMethod: 'POST',
  connectionType: 'INTERNET',
  passthroughBehavior: 'WHEN_NO_MATCH',
  payloadFormatVersion: '1.0',
  timeoutInMillis: 10000,
};

export const INTEGRATION_RESPONSE_EXAMPLE = {
  integrationResponseId: 'ir00001',
  integrationResponseKey: '$default',
  responseTemplates: { 'application/json': '{"ok": true}' },
};

export const ROUTE_INTEGRATION_EXAMPLE = {
  apiId,
  routeKey: 'sendmessage',
  route: ROUTE_EXAMPLE,
  integration: INTEGRATION_EXAMPLE,
  integrationResponses: [],
  routeResponses: [ROUTE_RESPONSE_EXAMPLE],
  returnResponse: true,
  sharedWith: [],
};

export const PLAN_STEP_EXAMPLE = {
  id: 'update-integration',
  description: 'Update integration int0001: timeoutInMillis',
  operation: 'UpdateIntegration',
  params: { apiId, integrationId: 'int0001', timeoutInMillis: 10000 },
  compensation: { operation: 'UpdateIntegration', params: { apiId, integrationId: 'int0001', timeoutInMillis: 29000 } },
};

export const CHANGE_SUMMARY_EXAMPLE = {
  outcome: 'applied',
  plan: [PLAN_STEP_EXAMPLE],
  auditId: '01JD0000000000000000000000',
  auditComplete: true,
};

export const PERMISSION_REPORT_EXAMPLE = {
  apiId,
  scope: 'api',
  items: [
    {
      integrationId: 'int0001',
      routeKeys: ['sendmessage'],
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:chat-handler',
      qualifier: 'live',
      sourceArn: `arn:aws:execute-api:us-east-1:123456789012:${apiId}/*`,
      statementId: `gatewire-${apiId}-api-live`,
      status: 'ok',
    },
  ],
  stale: [],
  kept: [
    {
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:chat-handler-v1',
      statementId: `gatewire-${apiId}-api`,
      unusedSince: '2026-12-01T09:30:12.345Z',
      stages: [{ stageName: 'prod', deploymentId: 'dep0042', deployedAt: '2026-11-28T16:02:41.000Z' }],
    },
  ],
  manual: [],
};

export const AUDIT_RECORD_EXAMPLE = {
  id: '01JD0000000000000000000000',
  occurredAt: '2026-11-26T12:00:00.000Z',
  actor: { id: 'ci-deployer', kind: 'api-key' },
  requestId: 'req-1',
  action: 'route-integration.put',
  apiId,
  routeKey: 'sendmessage',
  integrationId: 'int0001',
  status: 'succeeded',
  request: { backend: { type: 'lambda', function: 'chat-handler:live' }, timeoutInMillis: 10000 },
  plan: [PLAN_STEP_EXAMPLE],
  before: { integration: { ...INTEGRATION_EXAMPLE, timeoutInMillis: 29000 } },
  after: { integration: INTEGRATION_EXAMPLE },
  awsCalls: [{ service: 'apigatewayv2', operation: 'UpdateIntegration', requestId: '5f1c9a52-0000-4000-8000-000000000000', outcome: 'ok', httpStatus: 200, attempts: 1, durationMs: 42 }],
  durationMs: 180,
};

export const PROBLEM_EXAMPLE = {
  type: 'https://gatewire.dev/problems/validation',
  title: 'Invalid request',
  status: 400,
  detail: '2 problem(s) in the request: /backend/method, /timeoutInMillis',
  instance: 'req-7',
  errors: [
    { path: '/backend/method', message: "must have required property 'method'" },
    { path: '/timeoutInMillis', message: 'must be <= 29000' },
  ],
};

export const DRIFT_REPORT_EXAMPLE = {
  apiId,
  clean: false,
  drift: [
    {
      kind: 'integration-changed',
      integrationId: 'int0001',
      routeKeys: ['sendmessage'],
      field: 'timeoutInMillis',
      applied: 10000,
      live: 29000,
      auditId: '01JD0000000000000000000000',
    },
    { kind: 'route-changed', routeKey: 'join', field: 'target', applied: 'integrations/int0002', live: null, auditId: '01JD0000000000000000000001' },
  ],
  unmanaged: ['$connect'],
  permissions: { missing: [], stale: [] },
  interrupted: [
    {
      id: '01JD0000000000000000000002',
      action: 'route-integration.put',
      status: 'interrupted',
      routeKey: 'leave',
      occurredAt: '2026-11-26T12:05:00.000Z',
    },
  ],
  pending: [],
};
