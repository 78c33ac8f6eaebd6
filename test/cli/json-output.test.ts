// `--json` on every command prints the service's own document, which the typed client's types
// describe: each output is validated against its component of openapi/openapi.json (from which
// src/client/openapi-types.ts is generated), and read back through the exported client.
import t from 'tap';
import { createGatewireClient, type DriftReport } from 'gatewire/client';
import { schemaErrors } from '../support/openapi-validator.js';
import { routeMapFolder, runGatewire, startListeningGatewire } from '../support/cli.js';

const ctx = await startListeningGatewire(t);
ctx.fake.seedFunction({ name: 'chat' });
const files = await routeMapFolder(t);
await files.write('routes.json', { routes: { $connect: { backend: { type: 'lambda', function: 'chat' } }, ping: { backend: { type: 'mock' } } } });
await files.write('bad.json', { routes: { ping: { backend: { type: 'mock' }, timeoutInMillis: 1 } } });

async function json(argv: string[], expectedCode = 0): Promise<unknown> {
  const run = await runGatewire([...argv, '--json'], { env: ctx.env, cwd: files.dir });
  if (run.code !== expectedCode) throw new Error(`gatewire ${argv.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

t.test('plan and apply print a BulkApplyChange', async (t) => {
  const plan = await json(['plan', 'routes.json', '--api', ctx.apiId]);
  t.same(schemaErrors('BulkApplyChange', plan), [], 'plan --json is a BulkApplyChange');
  t.match(plan, { outcome: 'planned', routes: { $connect: { outcome: 'created' }, ping: { outcome: 'created' } } });
  t.notSame(schemaErrors('BulkApplyChange', { ...(plan as object), outcome: 'done' }), [], 'and the check can fail');

  const applied = await json(['apply', 'routes.json', '--api', ctx.apiId, '--poll-ms', '100']);
  t.same(schemaErrors('BulkApplyChange', applied), [], 'apply --json is a BulkApplyChange');
  t.match(applied, { outcome: 'applied', auditId: String, routes: { ping: { outcome: 'created', integrationId: String } } });
});

t.test('get, drift and audit print their documents', async (t) => {
  const view = await json(['get', ctx.apiId, '$connect']);
  t.same(schemaErrors('RouteIntegration', view), [], 'get --json is a RouteIntegration');
  t.match(view, { routeKey: '$connect', integration: { integrationType: 'AWS_PROXY' } });

  const drift = await json(['drift', '--api', ctx.apiId]);
  t.same(schemaErrors('DriftReport', drift), [], 'drift --json is a DriftReport');
  // The same document the exported typed client gets.
  const client = createGatewireClient({ baseUrl: ctx.env['GATEWIRE_URL']!, apiKey: ctx.env['GATEWIRE_API_KEY']! });
  const { data } = await client.GET('/v1/apis/{apiId}/drift', { params: { path: { apiId: ctx.apiId } } });
  t.same(drift as DriftReport, data);

  const audit = await json(['audit', '--api', ctx.apiId, '--limit', '5']);
  t.same(schemaErrors('AuditPage', audit), [], 'audit --json is an AuditPage');
  t.match(audit, { items: [{ action: 'routes.bulk-put', status: 'succeeded', apiId: ctx.apiId }] });
});

t.test('a refused change prints its Problem on stdout, exit 1', async (t) => {
  const problem = await json(['apply', 'bad.json', '--api', ctx.apiId], 1);
  t.same(schemaErrors('Problem', problem), [], 'a Problem');
  t.match(problem, { status: 400, errors: [{ path: '/routes/ping/timeoutInMillis', message: String }] });
});
