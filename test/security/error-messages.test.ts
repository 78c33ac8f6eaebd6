// What an AWS failure tells a caller (issue 16 §6): a 502 body and an audit record give AWS's own
// message for an AWS service error, and a generic one for anything else (a timeout, a reset, a bug:
// their text names hosts and internals). AWS's refusals of Gatewire's own identity (an STS
// AccessDenied on a cross-account role) never show Gatewire's role or session ARN, nor the role it
// tried to assume.
import t from 'tap';
import { toDomainError } from '../../src/aws/errors.js';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';

const OTHER_ACCOUNT = '210987654321';
const CROSS_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/gatewire-writer`;

t.test('toDomainError: service errors keep their message less IAM/STS ARNs; other errors get a generic one', async (t) => {
  const network = toDomainError(Object.assign(new Error('connect ETIMEDOUT 10.1.2.3:443 (/opt/gatewire/node_modules/x.js)'), { name: 'TimeoutError' }));
  t.equal(network.kind, 'upstream');
  t.same(network.aws, { error: 'TimeoutError' });
  t.notMatch(network.message, /10\.1\.2\.3|ETIMEDOUT|node_modules/, 'no host, code or path');
  t.match(network.message, /got no answer from AWS/);
  t.equal(network.outcomeUnknown, true, 'still an outcome in doubt');

  const bug = toDomainError(new TypeError("Cannot read properties of undefined (reading 'Items')"));
  t.notMatch(bug.message, /Cannot read|Items/);

  const denied = toDomainError({
    name: 'AccessDenied',
    message: `User: arn:aws:sts::123456789012:assumed-role/gatewire-prod/i-0abc is not authorized to perform: sts:AssumeRole on resource: ${CROSS_ROLE}`,
    $fault: 'client',
    $metadata: { httpStatusCode: 403, requestId: 'sts-req-1' },
  });
  t.same(denied.aws, { error: 'AccessDenied', requestId: 'sts-req-1' });
  t.notMatch(denied.message, /arn:|gatewire-prod|gatewire-writer|123456789012|210987654321/, 'no identity named');
  t.match(denied.message, /AWS refused Gatewire's own credentials/);

  const service = toDomainError({
    name: 'InternalFailure',
    message: 'Role arn:aws:iam::123456789012:role/gatewire-prod could not be used for function arn:aws:lambda:us-east-1:123456789012:function:chat',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
  t.equal(
    service.message,
    'Role [IAM identity] could not be used for function arn:aws:lambda:us-east-1:123456789012:function:chat',
    "AWS's message, the role replaced, the caller's own function kept",
  );
});

t.test('an STS AccessDenied on the cross-account role: the 502 body and the record name no ARN of Gatewire', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_CROSS_ACCOUNT_ROLES: `${OTHER_ACCOUNT}=${CROSS_ROLE}` } });
  const foreignArn = ctx.fake.seedFunction({ name: 'shared', accountId: OTHER_ACCOUNT });
  ctx.fake.blockRole(CROSS_ROLE);
  const response = await ctx.app.inject({
    method: 'PUT',
    url: routeIntegrationUrl(ctx.apiId, 'send'),
    payload: { backend: { type: 'lambda', function: foreignArn } },
  });
  t.equal(response.statusCode, 502, response.body.slice(0, 300));
  t.match(response.json(), { aws: { error: 'AccessDenied' }, detail: /AWS refused Gatewire's own credentials/ });
  t.notMatch(response.body, /arn:aws:(iam|sts)|gatewire-writer|assumed-role/, 'the body names no role or session');
  const records = (await ctx.auditStore.list({ limit: 10 })).items;
  for (const summary of records) {
    const record = await ctx.auditStore.get(summary.id);
    t.notMatch(JSON.stringify(record?.error ?? null), /arn:aws:(iam|sts)|gatewire-writer|assumed-role/, `record ${summary.id}: its error names no role`);
  }
});

t.test('an AWS call that gets no answer: a generic 502, not the HTTP client’s text', async (t) => {
  const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_TIMEOUT_MS: '300' } });
  ctx.fake.inject({ operation: 'GetApis', fault: 'timeout', latencyMs: 2_000 });
  const response = await ctx.app.inject({ method: 'GET', url: '/v1/apis' });
  t.equal(response.statusCode, 502, response.body.slice(0, 300));
  t.match(response.json(), { type: 'https://gatewire.dev/problems/upstream', detail: /got no answer from AWS/ });
  t.notMatch(response.body, /127\.0\.0\.1|\d+ ?ms\b|socket|ECONN/i, "no host, port or client's wording");
});
