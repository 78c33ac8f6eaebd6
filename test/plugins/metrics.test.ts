// GET /metrics (Prometheus): the counters move after a change — request latency by route and
// status, AWS calls by operation and outcome, throttled retries, changes by outcome.
import t from 'tap';
import { buildTestApp, routeIntegrationUrl } from '../support/build-test-app.js';

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([label, value]) => candidate.includes(`${label}="${value}"`));
  });
  return line ? Number(line.split(' ').at(-1)) : 0;
}

// Two attempts per call, so that a throttled first attempt is retried.
const ctx = await buildTestApp(t, { env: { GATEWIRE_AWS_MAX_ATTEMPTS: '2' } });
const metrics = async () => {
  const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/plain/);
  return response.body;
};
const ROUTE = '/v1/apis/:apiId/routes/:routeKey/integration';

t.test('a change moves the request, AWS call and change counters', async (t) => {
  const before = await metrics();
  const put = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'sendmessage'), payload: { backend: { type: 'mock' } } });
  t.equal(put.statusCode, 200, put.body);
  const again = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'sendmessage'), payload: { backend: { type: 'mock' } } });
  t.equal(again.json().outcome, 'unchanged');
  const dryRun = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'other', '?dryRun=true'), payload: { backend: { type: 'mock' } } });
  t.equal(dryRun.json().outcome, 'planned');
  const invalid = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'bad'), payload: { backend: { type: 'nope' } } });
  t.equal(invalid.statusCode, 400);
  const after = await metrics();

  const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
  t.equal(delta('http_request_duration_seconds_count', { method: 'PUT', route: ROUTE, status_code: '200' }), 3, 'latency histogram by route and status');
  t.equal(delta('http_request_duration_seconds_count', { method: 'PUT', route: ROUTE, status_code: '400' }), 1);
  t.equal(delta('gatewire_aws_calls_total', { service: 'apigatewayv2', operation: 'CreateIntegration', outcome: 'ok' }), 1, 'AWS calls by operation and outcome');
  t.equal(delta('gatewire_aws_calls_total', { service: 'apigatewayv2', operation: 'CreateRoute', outcome: 'ok' }), 1);
  t.ok(delta('gatewire_aws_calls_total', { service: 'apigatewayv2', operation: 'GetRoutes', outcome: 'ok' }) >= 3, 'reads are counted too');
  for (const [outcome, count] of [['applied', 1], ['unchanged', 1], ['planned', 1], ['rejected', 1]] as const) {
    t.equal(delta('gatewire_changes_total', { method: 'PUT', route: ROUTE, outcome }), count, `changes ${outcome}`);
  }
  t.match(after, /process_cpu_user_seconds_total/, 'Node.js process metrics');
  t.notOk(after.includes(ctx.apiId), 'no API id in any label');
});

t.test('AWS failures by error name, and throttled attempts the SDK retried', async (t) => {
  const before = await metrics();
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'throttle', nth: 1 });
  const retried = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'throttled'), payload: { backend: { type: 'mock' } } });
  t.equal(retried.statusCode, 200, retried.body);
  ctx.fake.inject({ operation: 'CreateIntegration', fault: 'server-error', times: 2 });
  const failed = await ctx.app.inject({ method: 'PUT', url: routeIntegrationUrl(ctx.apiId, 'failing'), payload: { backend: { type: 'mock' } } });
  t.equal(failed.statusCode, 502, failed.body);
  const after = await metrics();
  const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
  t.equal(delta('gatewire_aws_throttled_retries_total', { service: 'apigatewayv2', operation: 'CreateIntegration' }), 1);
  t.equal(delta('gatewire_aws_calls_total', { operation: 'CreateIntegration', outcome: 'error' }), 2, 'the failed call, and its resend once a look-up found nothing');
  t.match(after, /gatewire_aws_calls_total\{[^}]*operation="CreateIntegration",outcome="error",error="\w+"/);
  t.equal(delta('gatewire_changes_total', { method: 'PUT', route: ROUTE, outcome: 'failed' }), 1, 'changes failed');
});
