// The read commands as people see them: get, drift (clean, then after a change behind
// Gatewire's back) and audit, against a Gatewire on the fake.
import t from 'tap';
import { UpdateIntegrationCommand } from '@aws-sdk/client-apigatewayv2';
import { apiGatewayClientFor } from '../support/fake-aws/sdk-clients.js';
import { routeMapFolder, runGatewire, startListeningGatewire } from '../support/cli.js';

t.test('get, drift and audit print readable reports', async (t) => {
  const ctx = await startListeningGatewire(t);
  const files = await routeMapFolder(t);
  await files.write('routes.json', { routes: { ping: { backend: { type: 'mock' }, timeoutInMillis: 1000 } } });
  const gatewire = (argv: string[]) => runGatewire(argv, { env: ctx.env, cwd: files.dir });
  t.equal((await gatewire(['apply', 'routes.json', '--api', ctx.apiId, '--poll-ms', '100'])).code, 0);
  const integrationId = ctx.fake.api(ctx.apiId).route('ping')!.target!.replace('integrations/', '');

  const get = await gatewire(['get', ctx.apiId, 'ping']);
  t.equal(get.code, 0, get.stderr);
  t.match(get.stdout, new RegExp(`^Route ping on API ${ctx.apiId} \\(route \\w+\\)\\n {2}two-way: no\\n {2}integration:\\n`));
  t.match(get.stdout, /^ {4}integrationType: MOCK$/m);
  t.match(get.stdout, /^ {4}timeoutInMillis: 1000$/m);

  const clean = await gatewire(['drift', '--api', ctx.apiId]);
  t.equal(clean.code, 0);
  t.equal(clean.stdout, `API ${ctx.apiId}: no drift.\n`);

  const client = apiGatewayClientFor(ctx.fake);
  await client.send(new UpdateIntegrationCommand({ ApiId: ctx.apiId, IntegrationId: integrationId, TimeoutInMillis: 2000 }));
  client.destroy();
  const drifted = await gatewire(['drift', '--api', ctx.apiId]);
  t.equal(drifted.code, 0, 'drift is a report, not a failure');
  t.match(drifted.stdout, new RegExp(`^API ${ctx.apiId} has drifted from what Gatewire applied:\\n`));
  t.match(drifted.stdout, new RegExp(`^ {2}~ integration ${integrationId}: integration-changed timeoutInMillis: applied 1000, live 2000 \\(audit \\w+\\)$`, 'm'));

  const audit = await gatewire(['audit', '--api', ctx.apiId]);
  t.equal(audit.code, 0);
  t.match(audit.stdout, new RegExp(`^\\S+Z +succeeded +routes\\.bulk-put +api ${ctx.apiId} {2}by test-admin {2}\\w+$`, 'm'));
  const none = await gatewire(['audit', '--api', 'nosuchapi']);
  t.equal(none.stdout, 'No audit records.\n');

  const missing = await gatewire(['get', ctx.apiId, 'nope']);
  t.equal(missing.code, 1, 'an unknown route is a 404 problem');
  t.match(missing.stderr, /^Error: 404 /);
});
